// The report page: one self-contained, well-formed document; all text escaped; no scripts, links or fetches.
import { expect } from "chai";
import { renderPage } from "../../src/report/html.js";
import { linePlot } from "../../src/report/svg.js";
import { checkXml } from "./xml.js";

describe("report: HTML page", () => {
  it("renders title, sections, facts, tables and figures, escaping every text", () => {
    const nasty = `<script>alert("x")</script> & 'q'`;
    const html = renderPage({
      title: nasty,
      subtitle: ["seed <1>"],
      sections: [
        { heading: nasty, badge: "pass", paragraphs: [nasty], facts: [["term <a>", nasty]], tables: [{ columns: ["a<b", "n"], rows: [[nasty, 3], [true, null]], caption: "c&d" }] },
        { heading: "Plot", badge: "fail", figures: [{ svg: linePlot({ x: { label: "x" }, y: { label: "y" }, series: [{ label: "s", points: [[0, 1], [1, 2]] }] }), caption: nasty }] },
        { heading: "Plot" },
      ],
    });
    expect(html.startsWith("<!DOCTYPE html>")).to.equal(true);
    expect(html).to.not.include("<script");
    expect(html).to.include("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(html).to.not.match(/\bsrc=|href="http|@import|url\(/);
    // Well-formed once the void <meta> elements are closed (the rest is XHTML-clean).
    checkXml(html.replace("<!DOCTYPE html>", "").replace(/<meta([^>]*)>/g, "<meta$1/>"));
    expect(html).to.include('class="badge pass"').and.include('class="badge fail"');
    expect(html).to.include('id="plot"').and.include('id="plot-2"');   // ids made unique
    expect(html).to.include("<td>—</td>");
  });
});

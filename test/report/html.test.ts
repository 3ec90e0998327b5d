// The report page: one self-contained, well-formed document; all text escaped; no links or fetches; images
// inline; a script only for an app, and nothing in its data able to end it.
import { expect } from "chai";
import { PNG } from "pngjs";
import { renderPage, type Section } from "../../src/report/html.js";
import { greyPng } from "../../src/report/png.js";
import { linePlot } from "../../src/report/svg.js";
import { checkXml } from "./xml.js";

describe("report: HTML page", () => {
  it("renders title, sections, facts, tables and figures, escaping every text", () => {
    const nasty = `<script>alert("x")</script> & 'q'`;
    const html = renderPage({
      title: nasty,
      subtitle: ["seed <1>"],
      sections: [
        { heading: nasty, badge: "pass", paragraphs: [nasty], facts: [["term <a>", nasty]], tables: [{ columns: ["a<b", "n"], rows: [[nasty, 3], [true, null]], caption: "c&d" }], notes: ["after <the> table"] },
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
    expect(html.indexOf("<p>after &lt;the&gt; table</p>")).to.be.above(html.indexOf("</table>"));
  });
});

describe("report: images and apps", () => {
  const png = greyPng(Float64Array.from({ length: 4 * 4 }, (_, i) => i / 15), 4, 4);

  it("an image grid embeds each PNG as a data URI under labelled rows and escaped captions", () => {
    const html = renderPage({ title: "t", sections: [{ heading: "Images", images: [{
      columns: ["#0", "#<1>"], caption: "y & G(x̂)",
      rows: [{ label: "target <y>", images: [{ png }, { png }] }, { label: "surfing", images: [{ png, caption: "1e-3 ✓" }, { png, caption: "<b>" }] }],
    }] }] });
    const uris = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)" width="56" height="56" alt="[^"<]*"\/>/g)];
    expect(uris).to.have.length(4);
    expect(Uint8Array.from(Buffer.from(uris[0][1], "base64"))).to.deep.equal(png);
    expect(html).to.include("target &lt;y&gt;").and.include("#&lt;1&gt;").and.include("&lt;b&gt;").and.include("y &amp; G(x̂)");
    expect(html).to.not.include("<script");
    checkXml(html.replace("<!DOCTYPE html>", "").replace(/<meta([^>]*)>/g, "<meta$1/>"));
    // the PNG decodes to the grey levels given
    expect(Array.from(PNG.sync.read(Buffer.from(png)).data.filter((_, i) => i % 4 === 0))).to.deep.equal(Array.from({ length: 16 }, (_, i) => i * 17));
  });

  it("refuses what it cannot embed safely: a non-PNG image, ragged rows, a script that would end early", () => {
    const page = (section: Section) => () => renderPage({ title: "t", sections: [section] });
    expect(page({ heading: "x", images: [{ rows: [{ label: "a", images: [{ png: new TextEncoder().encode("<svg onload=alert(1)>") }] }] }] })).to.throw(/not a PNG file/);
    expect(page({ heading: "x", images: [{ columns: ["a", "b"], rows: [{ label: "a", images: [{ png }] }] }] })).to.throw(/row "a" has 1 images for 2 columns/);
    for (const script of ['let s = "</script>";', "x <!-- y"]) {
      expect(page({ heading: "x", app: { markup: "<div></div>", data: {}, script } })).to.throw(/cannot be inlined/);
    }
  });

  it("an app's data is JSON that cannot close its script element; its script appears once, as a module, after the sections", () => {
    const app = { markup: '<div data-x="1"></div>', data: { text: "</script><script>alert(1)</script>", n: [1, 2] }, script: "console.log(1);" };
    const html = renderPage({ title: "t", sections: [{ heading: "a", app }, { heading: "b", app }] });
    expect(html.match(/<script type="module">console\.log\(1\);<\/script>/g)).to.have.length(1);
    expect(html.indexOf('<script type="module">')).to.be.above(html.lastIndexOf("</section>"));
    const json = [...html.matchAll(/<div class="app"><script type="application\/json">(.*?)<\/script><div data-x="1"><\/div><\/div>/g)];
    expect(json).to.have.length(2);
    expect(JSON.parse(json[0][1])).to.deep.equal(app.data);
    expect(json[0][1]).to.not.include("<");
  });
});

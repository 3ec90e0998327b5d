/** The checks of `surf verify`, in the order the report shows them. */
import type { Check, Unit } from "../check.js";
import { activationCountCheck } from "./activation-count.js";
import { criticalBallCheck } from "./critical-ball.js";
import { gradientCheck } from "./gradient.js";
import { hvCheck } from "./hv.js";
import { rricCheck } from "./rric.js";
import { trackingCheck } from "./tracking.js";
import { wdcCheck } from "./wdc.js";

// Each check has its own unit and result types; the runner only moves them between plan, measure and judge
// (an existential type TypeScript cannot write, hence the any).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CHECKS: readonly Check<Unit, any>[] = [criticalBallCheck, gradientCheck, wdcCheck, rricCheck, activationCountCheck, hvCheck, trackingCheck];

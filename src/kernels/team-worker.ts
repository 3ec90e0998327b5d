/** A helper thread of a Team (team.ts): its data comes as workerData; it runs parts of products until told to quit. */
import { workerData } from "node:worker_threads";
import { serve } from "./team.js";

await serve(workerData);

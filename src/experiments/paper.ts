/**
 * The paper's Table 1, both versions, for printing beside ours.
 *  arXiv (Song, Fan & Lafferty 2019): success rates (%) only.
 *  NeurIPS (Song, Fan & Lafferty, NeurIPS 2019): success rates and 75th percentiles of the gradient steps until ‖x̂_T − x*‖ < 0.01.
 * The NeurIPS table is recovered from PDF-extracted text whose cell order is scrambled; VAE and WGAN read off
 * directly, and the DCGAN and WGAN-GP rows are assigned to k by their step counts growing with k, as every
 * other row's do (their rates then agree with the arXiv table's to within a few trials).
 */
export type PaperModel = "vae" | "gan" | "wgan" | "wgan-gp";

export interface PaperCell {
  regular: number;
  surf: number;
  regularSteps?: number;
  surfSteps?: number;
}

export const ARXIV_TABLE1: Record<PaperModel, Record<5 | 10 | 20, PaperCell>> = {
  vae: { 5: { regular: 99.3, surf: 99.3 }, 10: { regular: 100, surf: 100 }, 20: { regular: 100, surf: 100 } },
  gan: { 5: { regular: 50.3, surf: 91.3 }, 10: { regular: 69.3, surf: 96.7 }, 20: { regular: 67.7, surf: 99.3 } },
  wgan: { 5: { regular: 48.3, surf: 86.7 }, 10: { regular: 75.0, surf: 99.3 }, 20: { regular: 91.0, surf: 100 } },
  "wgan-gp": { 5: { regular: 46.7, surf: 92.0 }, 10: { regular: 63.7, surf: 97.7 }, 20: { regular: 69.7, surf: 99.0 } },
};

export const NEURIPS_TABLE1: Record<PaperModel, Record<5 | 10 | 20, PaperCell>> = {
  vae: {
    5: { regular: 98.7, surf: 100, regularSteps: 737, surfSteps: 775 },
    10: { regular: 100, surf: 100, regularSteps: 1330, surfSteps: 1404 },
    20: { regular: 100, surf: 100, regularSteps: 8215, surfSteps: 10744 },
  },
  gan: {
    5: { regular: 48.3, surf: 78.3, regularSteps: 618, surfSteps: 741 },
    10: { regular: 64.7, surf: 95.7, regularSteps: 1915, surfSteps: 2394 },
    20: { regular: 68.7, surf: 98.7, regularSteps: 4560, surfSteps: 6514 },
  },
  wgan: {
    5: { regular: 56.0, surf: 81.7, regularSteps: 464, surfSteps: 547 },
    10: { regular: 84.3, surf: 97.3, regularSteps: 1227, surfSteps: 1450 },
    20: { regular: 90.3, surf: 99.3, regularSteps: 3702, surfSteps: 4986 },
  },
  "wgan-gp": {
    5: { regular: 47.0, surf: 83.7, regularSteps: 463, surfSteps: 564 },
    10: { regular: 64.7, surf: 97.3, regularSteps: 15445, surfSteps: 25991 },
    20: { regular: 80.0, surf: 96.3, regularSteps: 18937, surfSteps: 33294 },
  },
};

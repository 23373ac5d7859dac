import { loadModel, ort } from "@gradphoto/vision";

// onnxruntime prints graph-cleanup warnings for two of the models; they are harmless.
ort.env.logLevel = "error";

export const PHOTO_MODELS = ["yunet", "landmarks68", "eye-state", "head-pose", "expression", "person-seg", "skin-hair-clothes"] as const;

/** Loads (and sha256-verifies) every model the pipeline uses, once per process. */
export async function loadPhotoModels(): Promise<void> {
  await Promise.all(PHOTO_MODELS.map((id) => loadModel(id)));
}

export { loadModel, readModelBytes, ortSessionOptions, createOrtSession, verifyModels, type ModelVariant, modelDir, modelManifest, ModelError, ort, type ModelStatus, type ModelManifest } from "./model-registry.js";
export { decodeRgb, resizeRgb, cropRgb, rgbToPng, type RgbImage } from "./image.js";
export { detectFaces, type DetectedFace, type DetectOptions, type Point } from "./detect.js";
export { alignFace, fitSimilarity, ARCFACE_TEMPLATE, type Similarity } from "./align.js";
export { flushDenormalWeights } from "./onnx-denormals.js";
export { readVarint, walkMessage, writeVarintInPlace, MODEL_GRAPH, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_VALUE_INFO, type FieldVisitor } from "./onnx-proto.js";
export { setInputSize } from "./onnx-input-size.js";

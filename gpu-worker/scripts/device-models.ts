// Writes the tiny SAM 3 stand-in at SAM 3's input size (1008) for the device check.
import { buildTinySam3 } from "../test/onnx/build-models";

const dir = process.argv[2];
if (!dir) throw new Error("usage: device-models.ts <model dir>");
await buildTinySam3(dir, { imageSize: 1008, objectness: { wall: [6, -6], floor: [-6, 6], frame: [-6, -6] } });

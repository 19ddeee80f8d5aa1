// Writes the device check's models: the tiny SAM 3 stand-in at SAM 3's input size (1008), and
// PP-OCRv4 text detection (real weights, a devDependency) as the Label_Text mask-map model.
import { buildTinySam3 } from "../test/engine/segmenter/onnx/build-models";
import { writePpocrModelDir } from "../test/engine/segmenter/onnx/ppocr";

const [dir, ppocrDir] = process.argv.slice(2);
if (!dir || !ppocrDir) throw new Error("usage: device-models.ts <sam3 stand-in dir> <ppocr dir>");
await buildTinySam3(dir, { imageSize: 1008, objectness: { wall: [6, -6], floor: [-6, 6], frame: [-6, -6] } });
await writePpocrModelDir(ppocrDir);

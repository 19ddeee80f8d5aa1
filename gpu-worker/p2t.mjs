import sharp from "sharp";
import { MessageChannel } from "node:worker_threads";
const { data } = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#f00" } }).raw().toBuffer({ resolveWithObject: true });
console.log(data.byteOffset, data.buffer.byteLength, data.length);
const { port1, port2 } = new MessageChannel();
port2.on("message", (m) => { console.log("got", m.byteLength); port1.close(); port2.close(); });
try { port1.postMessage(data.buffer, [data.buffer]); console.log("after", data.buffer.byteLength); } catch (e) { console.log("ERR", e.message); }

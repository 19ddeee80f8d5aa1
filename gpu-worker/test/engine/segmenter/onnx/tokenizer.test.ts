import { PROMPTS, presetsMissingPrompts } from "@s3/contract";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conceptPrompt } from "../../../../src/engine/segmenter/onnx/manifest";
import { ClipTokenizer, bytesToUnicode } from "../../../../src/engine/segmenter/onnx/tokenizer";
import { bpeFileContents } from "./build-models";

// A 5-merge vocabulary in CLIP's file format. CLIP's ids: 0..255 the byte characters in
// byte-to-unicode order ('!'..'~' first, so 'a' = 97 - 33 = 64), 256..511 the same with
// "</w>", then one id per merge from 512, then <|startoftext|> and <|endoftext|>.
const MERGES = ["w a", "l l</w>", "wa ll</w>", "f r", "fr ame</w>"];
// "wa" 512, "ll</w>" 513, "wall</w>" 514, "fr" 515, "frame</w>" 516, start 517, end 518.

let dir: string;
let clip: ClipTokenizer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clip-"));
  await writeFile(join(dir, "bpe_simple_vocab_16e6.txt.gz"), bpeFileContents(MERGES));
  clip = await ClipTokenizer.fromBpeFile(join(dir, "bpe_simple_vocab_16e6.txt.gz"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("CLIP BPE tokenizer", () => {
  it("maps every byte to a distinct visible character, printable ASCII to itself", () => {
    const table = bytesToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[97]).toBe("a");
    expect(table[32]).toBe("Ġ"); // space → U+0120, as in GPT-2 and CLIP
  });

  it("merges a word by rank into one token", () => {
    // w a l l</w> → wa l l</w> (rank 0) → wa ll</w> (rank 1) → wall</w> (rank 2)
    expect(clip.encode("wall")).toEqual([514]);
  });

  it("lower-cases, splits on whitespace and leaves unmerged letters as byte tokens", () => {
    // "ab": no merge applies → 'a' (64) and 'b</w>' (256 + 65)
    expect(clip.encode("  WALL \n ab ")).toEqual([514, 64, 321]);
  });

  it("applies the lowest-ranked merge first, not the leftmost", () => {
    // f r a m e</w>: "f r" (rank 3) merges; "fr ame</w>" needs "ame</w>", which no merge builds
    expect(clip.encode("frame")).toEqual([515, 64, 76, 256 + 68]);
  });

  it("splits punctuation runs and single digits like CLIP's pre-tokenizer", () => {
    // "!" → '!</w>' = 256 + 0; "2" and "4" are separate words: '2</w>' = 256 + 17, '4</w>' = 256 + 19
    expect(clip.encode("wall!")).toEqual([514, 256]);
    expect(clip.encode("24")).toEqual([273, 275]);
  });

  it("encodes non-ASCII text byte by byte", () => {
    // é = C3 A9: 0xC3 → 'Ã' at 94 + 12 + (195 - 174) = 127; 0xA9 → '©' at 94 + (169 - 161) = 102, + </w>
    expect(clip.encode("é")).toEqual([127, 256 + 102]);
  });

  it("wraps the text in start and end tokens and pads to the context length with the end token", () => {
    const { inputIds, attentionMask } = clip.tokenize("wall", 6);
    expect([...inputIds].map(Number)).toEqual([517, 514, 518, 518, 518, 518]);
    expect([...attentionMask].map(Number)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it("truncates long text and keeps the end token last", () => {
    const { inputIds, attentionMask } = clip.tokenize("wall wall wall wall wall", 4);
    expect([...inputIds].map(Number)).toEqual([517, 514, 514, 518]);
    expect([...attentionMask].map(Number)).toEqual([1, 1, 1, 1]);
  });

  it("reads Hugging Face's vocab.json and merges.txt", async () => {
    const vocab = {
      "<|startoftext|>": 7,
      "<|endoftext|>": 8,
      w: 0,
      a: 1,
      "l</w>": 2,
      l: 3,
      wa: 4,
      "ll</w>": 5,
      "wall</w>": 6,
    };
    await writeFile(join(dir, "vocab.json"), JSON.stringify(vocab));
    await writeFile(join(dir, "merges.txt"), "#version: 0.2\nw a\nl l</w>\nwa ll</w>\n");
    const hf = await ClipTokenizer.fromVocabAndMerges(join(dir, "vocab.json"), join(dir, "merges.txt"));
    expect([...hf.tokenize("Wall", 4).inputIds].map(Number)).toEqual([7, 6, 8, 8]);
  });

  it("reads Hugging Face's tokenizer.json, merges stored as strings or as pairs", async () => {
    const vocab = { "<|startoftext|>": 7, "<|endoftext|>": 8, w: 0, a: 1, l: 3, wa: 4, "ll</w>": 5, "wall</w>": 6 };
    for (const merges of [
      ["w a", "l l</w>", "wa ll</w>"],
      [
        ["w", "a"],
        ["l", "l</w>"],
        ["wa", "ll</w>"],
      ],
    ]) {
      await writeFile(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "BPE", vocab, merges } }));
      const hf = await ClipTokenizer.fromTokenizerJson(join(dir, "tokenizer.json"));
      expect(hf.encode("wall")).toEqual([6]);
    }
  });
});

describe("concept prompts", () => {
  it("gives SAM 3 the prompt table's noun phrase, not the palette name", () => {
    expect(conceptPrompt("Body", { prompts: {} })).toBe("product body");
    expect(conceptPrompt("Light", { prompts: {} })).toBe("ceiling light fixture");
    expect(conceptPrompt("Frame_Molding", { prompts: {} })).toBe(PROMPTS.interior!.Frame_Molding);
    expect(conceptPrompt("Wall", { prompts: {} })).toBe("wall");
  });

  it("has a phrase for every concept and protect default of every preset", () => {
    expect(presetsMissingPrompts()).toEqual([]);
  });

  it("turns a concept the table has not met into lower-case words", () => {
    expect(conceptPrompt("Glass_Shelf-edge", { prompts: {} })).toBe("glass shelf edge");
  });

  it("uses the manifest's prompt when one is given for the concept", () => {
    expect(conceptPrompt("Grout", { prompts: { Grout: "tile grout line" } })).toBe("tile grout line");
  });
});

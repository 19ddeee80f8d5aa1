// CLIP's byte-level BPE tokenizer (openai/CLIP simple_tokenizer.py, which SAM 3 reuses with a
// context length of 32), so concept text becomes the token ids SAM 3's text encoder expects.
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

export const START_OF_TEXT = "<|startoftext|>";
export const END_OF_TEXT = "<|endoftext|>";

/** Merges CLIP keeps from bpe_simple_vocab_16e6.txt: 49152 - 256 - 2 (vocab size 49408). */
const CLIP_MERGE_COUNT = 49152 - 256 - 2;

// The same pre-tokenizer as CLIP's (special tokens, contractions, letter runs, single
// digits, punctuation runs); CLIP matches it case-insensitively on lower-cased text.
const PRE_TOKENIZER = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Printable bytes map to themselves, the rest to 256 + n, so every byte has a visible character. */
function byteAlphabet(): { order: number[]; chars: string[] } {
  const order: number[] = [];
  for (let b = 33; b <= 126; b++) order.push(b);
  for (let b = 161; b <= 172; b++) order.push(b);
  for (let b = 174; b <= 255; b++) order.push(b);
  const codes = order.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!order.includes(b)) {
      order.push(b);
      codes.push(256 + n);
      n += 1;
    }
  }
  const chars = new Array<string>(256);
  order.forEach((b, i) => (chars[b] = String.fromCodePoint(codes[i] ?? b)));
  return { order, chars };
}

/** byte → its character in CLIP's byte-to-unicode table (256 entries). */
export function bytesToUnicode(): string[] {
  return byteAlphabet().chars;
}

export interface TokenizedText {
  /** [contextLength] ids: start, text tokens, end, then padding. */
  inputIds: BigInt64Array;
  /** 1 for real tokens (start and end included), 0 for padding. */
  attentionMask: BigInt64Array;
}

export class ClipTokenizer {
  private readonly byteEncoder = bytesToUnicode();
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  readonly startId: number;
  readonly endId: number;

  constructor(
    private readonly vocab: Map<string, number>,
    merges: readonly string[],
  ) {
    merges.forEach((merge, rank) => this.ranks.set(merge, rank));
    const start = vocab.get(START_OF_TEXT);
    const end = vocab.get(END_OF_TEXT);
    if (start === undefined || end === undefined) {
      throw new Error(`CLIP vocabulary lacks ${START_OF_TEXT} or ${END_OF_TEXT}`);
    }
    this.startId = start;
    this.endId = end;
  }

  /** The vocabulary CLIP derives from its merges file: bytes, bytes + "</w>", merges, specials. */
  static vocabFromBpeMerges(merges: readonly string[]): Map<string, number> {
    const { order, chars } = byteAlphabet();
    const base = order.map((b) => chars[b] ?? "");
    const tokens = [...base, ...base.map((c) => `${c}</w>`), ...merges.map((m) => m.replace(" ", ""))];
    tokens.push(START_OF_TEXT, END_OF_TEXT);
    return new Map(tokens.map((t, i) => [t, i]));
  }

  /** CLIP's own format: gzipped merges, one "a b" per line after a "#version" header. */
  static async fromBpeFile(path: string): Promise<ClipTokenizer> {
    const raw = await readFile(path);
    const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    const merges = text
      .split("\n")
      .slice(1, CLIP_MERGE_COUNT + 1)
      .filter((line) => line.length > 0);
    return new ClipTokenizer(ClipTokenizer.vocabFromBpeMerges(merges), merges);
  }

  /** Hugging Face's format: vocab.json (token → id) and merges.txt. */
  static async fromVocabAndMerges(vocabPath: string, mergesPath: string): Promise<ClipTokenizer> {
    const vocab = JSON.parse(await readFile(vocabPath, "utf8")) as Record<string, number>;
    const merges = (await readFile(mergesPath, "utf8"))
      .split("\n")
      .filter((line) => line.length > 0 && !line.startsWith("#version"));
    return new ClipTokenizer(new Map(Object.entries(vocab)), merges);
  }

  /** Hugging Face's single-file tokenizer.json (model.vocab and model.merges of its BPE model). */
  static async fromTokenizerJson(path: string): Promise<ClipTokenizer> {
    const json = JSON.parse(await readFile(path, "utf8")) as {
      model?: { vocab?: Record<string, number>; merges?: (string | [string, string])[] };
    };
    const { vocab, merges } = json.model ?? {};
    if (!vocab || !merges) throw new Error(`${path} has no BPE model.vocab and model.merges`);
    // Newer files store each merge as a pair, older ones as "a b".
    const lines = merges.map((m) => (typeof m === "string" ? m : m.join(" ")));
    return new ClipTokenizer(new Map(Object.entries(vocab)), lines);
  }

  /** Text → BPE token ids, without start/end tokens. */
  encode(text: string): number[] {
    const cleaned = text.replace(/\s+/g, " ").trim().toLowerCase();
    const ids: number[] = [];
    for (const match of cleaned.matchAll(PRE_TOKENIZER)) {
      const word = match[0];
      const special = this.vocab.get(word);
      if (word === START_OF_TEXT || word === END_OF_TEXT) {
        if (special !== undefined) ids.push(special);
        continue;
      }
      const bytes = new TextEncoder().encode(word);
      const unicode = Array.from(bytes, (b) => this.byteEncoder[b] ?? "").join("");
      for (const piece of this.bpe(unicode)) {
        const id = this.vocab.get(piece);
        if (id === undefined) throw new Error(`BPE piece ${JSON.stringify(piece)} is not in the vocabulary`);
        ids.push(id);
      }
    }
    return ids;
  }

  /** Start + tokens + end, truncated (end token kept last) and padded to `contextLength`. */
  tokenize(text: string, contextLength: number, padId: number = this.endId): TokenizedText {
    let tokens = [this.startId, ...this.encode(text), this.endId];
    if (tokens.length > contextLength) {
      tokens = tokens.slice(0, contextLength);
      tokens[contextLength - 1] = this.endId;
    }
    const inputIds = new BigInt64Array(contextLength).fill(BigInt(padId));
    const attentionMask = new BigInt64Array(contextLength);
    tokens.forEach((id, i) => {
      inputIds[i] = BigInt(id);
      attentionMask[i] = 1n;
    });
    return { inputIds, attentionMask };
  }

  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = [...token];
    let word = chars.map((c, i) => (i === chars.length - 1 ? `${c}</w>` : c));
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      // Merge every occurrence of the best pair, left to right, as CLIP does.
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(`${first}${second}`);
          i += 1;
        } else {
          merged.push(word[i] ?? "");
        }
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }
}

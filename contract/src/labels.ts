// Display names (docs/labels.md): what people read in place of an id, in Korean and English. Ids stay
// as they are (`oak_a`, `Frame_Molding`, `전후비교`); the API publishes these with each preset, the sets'
// captions use them. Plain data, no schema, so the console bundles it without zod.
import type { ColorId, Preset, Texture, Tone } from "./presets";
import type { Plan } from "./plans";
import type { Action } from "./rules";

export const LOCALES = ["ko", "en"] as const;
export type Locale = (typeof LOCALES)[number];
/** Korean first: the design, the presets and the templates are written in Korean. */
export const DEFAULT_LOCALE: Locale = "ko";

export interface Label {
  ko: string;
  en: string;
}

const PRESET_LABELS: Record<string, Label> = {
  interior: { ko: "건축/인테리어", en: "Architecture & interior" },
  seller: { ko: "쇼핑/셀러", en: "Shopping & seller" },
};

/** Every concept and protect concept of every preset. */
const CONCEPT_LABELS: Record<string, Label> = {
  Wall: { ko: "벽", en: "Wall" },
  Floor: { ko: "바닥", en: "Floor" },
  Ceiling: { ko: "천장", en: "Ceiling" },
  Window: { ko: "창호", en: "Window frame" },
  Door: { ko: "문", en: "Door" },
  Frame_Molding: { ko: "몰딩", en: "Moulding" },
  Tile: { ko: "타일", en: "Tile" },
  Grout: { ko: "줄눈", en: "Grout" },
  Cabinet: { ko: "수납장", en: "Cabinet" },
  Countertop: { ko: "상판", en: "Countertop" },
  Light: { ko: "조명", en: "Light fitting" },
  Handle: { ko: "손잡이", en: "Handle" },
  Glass_highlight: { ko: "유리 반사광", en: "Glass highlight" },
  Body: { ko: "본체", en: "Body" },
  Label_Text: { ko: "라벨 글자", en: "Label text" },
  Logo: { ko: "로고", en: "Logo" },
  Gloss: { ko: "광택", en: "Gloss" },
  Parts: { ko: "부품", en: "Parts" },
  Accessories: { ko: "액세서리", en: "Accessories" },
};

const COLOR_LABELS: Record<ColorId, Label> = {
  oak_a: { ko: "밝은 오크", en: "Light oak" },
  oak_b: { ko: "진한 오크", en: "Dark oak" },
  walnut_a: { ko: "월넛", en: "Walnut" },
  offwhite_a: { ko: "오프화이트", en: "Off-white" },
  offwhite_b: { ko: "아이보리", en: "Ivory" },
  greige_a: { ko: "그레이지", en: "Greige" },
  charcoal_a: { ko: "차콜", en: "Charcoal" },
  sage_a: { ko: "세이지 그린", en: "Sage green" },
  navy_a: { ko: "네이비", en: "Navy" },
  terracotta_a: { ko: "테라코타", en: "Terracotta" },
  brass_a: { ko: "황동", en: "Brass" },
  matte_black: { ko: "무광 블랙", en: "Matte black" },
  chrome_a: { ko: "크롬", en: "Chrome" },
  blush_a: { ko: "블러시 핑크", en: "Blush pink" },
  sky_a: { ko: "스카이 블루", en: "Sky blue" },
  red_a: { ko: "레드", en: "Red" },
  mint_a: { ko: "민트", en: "Mint" },
  lemon_a: { ko: "레몬 옐로", en: "Lemon yellow" },
};

const TONE_LABELS: Record<Tone, Label> = {
  warm: { ko: "따뜻한 톤", en: "Warm" },
  cool: { ko: "차가운 톤", en: "Cool" },
  bright: { ko: "밝게", en: "Brighter" },
  dark: { ko: "어둡게", en: "Darker" },
  matte: { ko: "무광", en: "Matte" },
  vivid: { ko: "선명하게", en: "Vivid" },
};

const TEXTURE_LABELS: Record<Texture, Label> = {
  wood: { ko: "원목", en: "Wood" },
  marble: { ko: "대리석", en: "Marble" },
  concrete: { ko: "콘크리트", en: "Concrete" },
  terrazzo: { ko: "테라조", en: "Terrazzo" },
  linen: { ko: "린넨", en: "Linen" },
  brushed_metal: { ko: "헤어라인 메탈", en: "Brushed metal" },
};

const ACTION_LABELS: Record<Action, Label> = {
  recolor: { ko: "색상", en: "Colour" },
  tone: { ko: "톤", en: "Tone" },
  texture: { ko: "질감", en: "Texture" },
};

/** The presets' built-in styles, by name. */
const STYLE_LABELS: Record<string, Label> = {
  modern: { ko: "모던", en: "Modern" },
  natural: { ko: "내추럴", en: "Natural" },
  hotel: { ko: "호텔식", en: "Hotel" },
};

/** Output templates by id (what execute and GET /jobs name). */
const TEMPLATE_LABELS: Record<string, Label> = {
  시안3안팩: { ko: "시안 3안 팩", en: "Three-option pack" },
  전후비교: { ko: "전후 비교", en: "Before & after" },
  고객공유카드: { ko: "고객 공유 카드", en: "Client share card" },
  상품팩: { ko: "상품 팩", en: "Product pack" },
  옵션보드: { ko: "옵션 보드", en: "Option board" },
  썸네일8종: { ko: "썸네일 8종", en: "Eight thumbnails" },
};

/** Plans by id (GET /me `plan`): typed by the plan table, so a new plan cannot go unnamed. */
export const PLAN_LABELS: Readonly<Record<Plan, Label>> = {
  free: { ko: "무료", en: "Free" },
  pro: { ko: "프로", en: "Pro" },
};

/** A plan's display name; the id itself for a plan this catalog does not know. */
export const planName = (plan: string, locale: Locale): string => PLAN_LABELS[plan as Plan]?.[locale] ?? plan;

/** One preset's display names, as `GET /presets/{id}` publishes them in `labels`. */
export interface PresetLabels {
  preset: Label;
  /** Concepts and protect concepts. */
  concepts: Record<string, Label>;
  actions: Record<string, Label>;
  colors: Record<string, Label>;
  tones: Record<string, Label>;
  textures: Record<string, Label>;
  styles: Record<string, Label>;
  output_templates: Record<string, Label>;
}

function pick(table: Record<string, Label>, ids: Iterable<string>, kind: string): Record<string, Label> {
  return Object.fromEntries(
    [...new Set(ids)].map((id) => {
      const label = table[id];
      if (!label) throw new Error(`no display name for ${kind} "${id}"`);
      return [id, label];
    }),
  );
}

/** Every name the preset shows: its concepts, protect defaults, palette values, styles and templates. */
export function presetLabels(preset: Preset): PresetLabels {
  const palettes = Object.values(preset.palette);
  return {
    preset: pick(PRESET_LABELS, [preset.id], "preset")[preset.id]!,
    concepts: pick(
      CONCEPT_LABELS,
      [...preset.concepts, ...preset.protect_defaults, ...Object.keys(preset.palette)],
      "concept",
    ),
    actions: { ...ACTION_LABELS },
    colors: pick(
      COLOR_LABELS,
      palettes.flatMap((palette) => palette.recolor),
      "colour",
    ),
    tones: pick(
      TONE_LABELS,
      palettes.flatMap((palette) => palette.tone),
      "tone",
    ),
    textures: pick(
      TEXTURE_LABELS,
      palettes.flatMap((palette) => palette.texture),
      "texture",
    ),
    styles: pick(
      STYLE_LABELS,
      preset.styles.map((style) => style.name),
      "style",
    ),
    output_templates: pick(
      TEMPLATE_LABELS,
      preset.output_templates.map((template) => template.id),
      "template",
    ),
  };
}

/** Every catalog, for a reader that does not know the preset (a rule value, a concept). */
const ALL: Record<keyof Omit<PresetLabels, "preset">, Record<string, Label>> = {
  concepts: CONCEPT_LABELS,
  actions: ACTION_LABELS,
  colors: COLOR_LABELS,
  tones: TONE_LABELS,
  textures: TEXTURE_LABELS,
  styles: STYLE_LABELS,
  output_templates: TEMPLATE_LABELS,
};

/** The display name of `id` in `locale`, or the id itself where the catalog has none (a #RRGGBB, a user's name). */
export function displayName(kind: keyof typeof ALL, id: string, locale: Locale): string {
  return ALL[kind][id]?.[locale] ?? id;
}

/** The display name of a rule value for its action: a colour, a tone or a texture. */
export function valueName(action: Action, value: string, locale: Locale): string {
  return displayName(action === "recolor" ? "colors" : action === "tone" ? "tones" : "textures", value, locale);
}

/** The first supported language an Accept-Language header asks for, by its q weights; null when none. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .map((part, order) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, order };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const { tag } of ranked) {
    const primary = tag.split("-")[0];
    const found = LOCALES.find((locale) => locale === primary);
    if (found) return found;
  }
  return null;
}

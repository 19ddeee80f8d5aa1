import { describe, expect, it } from "vitest";
import {
  COLORS,
  displayName,
  LOCALES,
  localeFromAcceptLanguage,
  PRESETS,
  presetLabels,
  TEXTURES,
  TONES,
  valueName,
  type Label,
  type Preset,
} from "../src";

/** Every id a person may see for a preset, by the kind of label that names it. */
function idsOf(preset: Preset): Record<string, string[]> {
  const palettes = Object.values(preset.palette);
  return {
    concepts: [...preset.concepts, ...preset.protect_defaults, ...Object.keys(preset.palette)],
    colors: palettes.flatMap((palette) => [...palette.recolor]),
    tones: palettes.flatMap((palette) => [...palette.tone]),
    textures: palettes.flatMap((palette) => [...palette.texture]),
    styles: preset.styles.map((style) => style.name),
    output_templates: preset.output_templates.map((template) => template.id),
  };
}

const named = (label: Label | undefined) => LOCALES.every((locale) => (label?.[locale]?.trim().length ?? 0) > 0);

describe("display names", () => {
  it("name every concept, palette value, style and template of every preset in Korean and English", () => {
    for (const preset of PRESETS) {
      const labels = presetLabels(preset);
      expect(named(labels.preset), preset.id).toBe(true);
      for (const [kind, ids] of Object.entries(idsOf(preset)))
        for (const id of ids)
          expect(
            named((labels as unknown as Record<string, Record<string, Label>>)[kind]![id]),
            `${preset.id} ${kind} ${id}`,
          ).toBe(true);
    }
  });

  it("name every colour, tone and texture of the catalog, even one no preset uses yet", () => {
    for (const id of Object.keys(COLORS)) expect(displayName("colors", id, "en"), id).not.toBe(id);
    for (const id of TONES) expect(displayName("tones", id, "ko"), id).not.toBe(id);
    for (const id of TEXTURES) expect(displayName("textures", id, "ko"), id).not.toBe(id);
  });

  it("refuse a preset whose palette names a value without a display name", () => {
    const interior = PRESETS[0]!;
    const withNewColour = {
      ...interior,
      palette: { ...interior.palette, Wall: { ...interior.palette.Wall!, recolor: ["mauve_a"] } },
    } as unknown as Preset;
    expect(() => presetLabels(withNewColour)).toThrow(/colour "mauve_a"/);
  });

  it("show a person names, and what the catalog cannot name as it is", () => {
    expect(valueName("recolor", "oak_a", "ko")).toBe("밝은 오크");
    expect(valueName("recolor", "oak_a", "en")).toBe("Light oak");
    expect(displayName("concepts", "Frame_Molding", "en")).toBe("Moulding");
    expect(valueName("recolor", "#A0B1C2", "en")).toBe("#A0B1C2");
    expect(displayName("styles", "시원한 톤", "en")).toBe("시원한 톤");
  });

  it("choose the language an Accept-Language header ranks first among Korean and English", () => {
    expect(localeFromAcceptLanguage("en-US,en;q=0.9,ko;q=0.8")).toBe("en");
    expect(localeFromAcceptLanguage("fr-FR, ko;q=0.5, en;q=0.4")).toBe("ko");
    expect(localeFromAcceptLanguage("ko;q=0.2, EN-gb;q=0.7")).toBe("en");
    expect(localeFromAcceptLanguage("de, fr;q=0.5")).toBeNull();
    expect(localeFromAcceptLanguage("en;q=0, ko")).toBe("ko");
    expect(localeFromAcceptLanguage(undefined)).toBeNull();
  });
});

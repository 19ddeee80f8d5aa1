// The output template and its variants: the template select, and for a template that takes variants
// (docs/sets.md) the named variants, each giving the edited concepts its own value.
import { TEMPLATE_VARIANTS, type PresetDetail } from "@s3/contract";
import { byId, clear, h } from "./dom";
import { conceptMap, valuePicker, type ConceptMap } from "./edits";
import { state } from "./state";

/** One of the preset's templates, as GET /presets/{id} lists them. */
type Template = PresetDetail["output_templates"][number];

export function selectedTemplate(): Template | null {
  const id = byId<HTMLSelectElement>("template").value;
  return state.preset?.output_templates.find((template) => template.id === id) ?? null;
}
export function renderTemplates(): void {
  const select = byId<HTMLSelectElement>("template");
  select.replaceChildren(
    h("option", { value: "" }, "No template: results and previews"),
    ...state.preset!.output_templates.map((template) => h("option", { value: template.id }, template.name)),
  );
  renderVariants();
}
export function renderVariants(): void {
  const template = selectedTemplate();
  byId("template-desc").textContent = template?.description ?? "Each photo's result and preview.";
  const limits = template ? TEMPLATE_VARIANTS[template.slug] : undefined;
  const fieldset = byId("variants");
  fieldset.hidden = !limits;
  if (!limits || !template) return;
  byId("variants-hint").textContent =
    `${template.needs_variants ? "Required" : "Optional (the preset's styles are used without them)"}: ` +
    `${limits.min}–${limits.max} named variants, each giving the edited concepts its own value.`;
  const edited = [...state.edits].filter(([, edit]) => edit.on);
  const list = byId("variant-list");
  clear(list);
  state.variants.forEach((variant, index) => {
    const nameInput = h("input", { id: `variant-${index}`, value: variant.name, maxlength: 40, autocomplete: "off" });
    nameInput.addEventListener("input", () => (variant.name = nameInput.value));
    const box = h(
      "div",
      { class: "variant", role: "group", "aria-label": `Variant ${index + 1}` },
      h("label", { for: nameInput.id }, `Variant ${index + 1} name`),
      nameInput,
    );
    for (const [concept, edit] of edited) {
      const palette = state.preset!.palette.concepts[concept]!;
      const current = variant.values[concept] ?? edit.value;
      variant.values[concept] = current;
      box.append(
        valuePicker(
          `Variant ${index + 1} ${concept}`,
          edit,
          palette,
          (value) => (variant.values[concept] = value),
          `v${index}-${concept.toLowerCase()}`,
          current,
        ),
      );
    }
    box.append(
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            state.variants.splice(index, 1);
            renderVariants();
          },
        },
        `Remove variant ${index + 1}`,
      ),
    );
    list.append(box);
  });
  if (edited.length === 0) list.append(h("p", { class: "hint" }, "Tick a concept to edit first."));
  const add = byId<HTMLButtonElement>("add-variant");
  add.disabled = state.variants.length >= limits.max;
}
export function variantsBody(): { name: string; concepts: ConceptMap }[] | undefined {
  if (byId("variants").hidden || state.variants.length === 0) return undefined;
  const base = conceptMap();
  return state.variants.map((variant, index) => ({
    name: variant.name.trim() || `Option ${index + 1}`,
    concepts: Object.fromEntries(
      Object.entries(base).map(([concept, edit]) => [
        concept,
        { action: edit.action, value: variant.values[concept] ?? edit.value },
      ]),
    ),
  }));
}

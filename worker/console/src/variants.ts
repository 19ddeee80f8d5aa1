// The output template (a picker of cards, each with a picture of its output), the file format, and
// for a template that takes variants (docs/sets.md) the named variants, each giving the edited
// concepts its own value.
import { TEMPLATE_VARIANTS, type PresetDetail } from "@s3/contract";
import { byId, clear, h, keepFocus } from "./dom";
import { conceptMap, valuePicker, type ConceptMap } from "./edits";
import { t } from "./i18n";
import { nameOf, templateName } from "./names";
import { templatePreview } from "./previews";
import { state } from "./state";

/** One of the preset's templates, as GET /presets/{id} lists them. */
type Template = PresetDetail["output_templates"][number];

export function selectedTemplate(): Template | null {
  const id = document.querySelector<HTMLInputElement>('input[name="template"]:checked')?.value ?? "";
  return state.preset?.output_templates.find((template) => template.id === id) ?? null;
}
/** The colours of the edited concepts, for the previews. */
function editedColors(): string[] {
  const colors = state.preset?.palette.colors ?? {};
  return [...state.edits.values()].filter((e) => e.on && colors[e.value]).map((e) => colors[e.value]!);
}
export function renderTemplates(): void {
  const group = byId("templates");
  keepFocus(group, () => {
    const chosen = selectedTemplate()?.id ?? "";
    clear(group);
    const choices: (Template | null)[] = [null, ...state.preset!.output_templates];
    for (const template of choices) {
      const id = `template-${template?.slug ?? "none"}`;
      const radio = h("input", {
        type: "radio",
        name: "template",
        id,
        value: template?.id ?? "",
        checked: (template?.id ?? "") === chosen,
        class: "visually-hidden",
        "aria-describedby": `${id}-desc`,
      });
      radio.addEventListener("change", renderVariants);
      const name = template ? templateName(template.id)! : { text: t("no_template"), lang: null };
      group.append(
        radio,
        h(
          "label",
          { for: id, class: "template-card" },
          templatePreview(template?.slug ?? null, editedColors()),
          h("span", { class: "template-name", lang: name.lang }, name.text),
          h(
            "span",
            { class: "hint", id: `${id}-desc` },
            template ? templateDescription(template) : t("no_template_desc"),
          ),
        ),
      );
    }
  });
  renderVariants();
}
function templateDescription(template: Template): string {
  const key = `template_desc_${template.slug}` as const;
  return t(key);
}

export function renderVariants(): void {
  const template = selectedTemplate();
  const limits = template ? TEMPLATE_VARIANTS[template.slug] : undefined;
  const fieldset = byId("variants");
  fieldset.hidden = !limits;
  if (!limits || !template) return;
  byId("variants-hint").textContent = t(template.needs_variants ? "variants_required" : "variants_optional", {
    min: limits.min,
    max: limits.max,
  });
  const edited = [...state.edits].filter(([, edit]) => edit.on);
  const list = byId("variant-list");
  keepFocus(list, () => {
    clear(list);
    state.variants.forEach((variant, index) => {
      const nameInput = h("input", { id: `variant-${index}`, value: variant.name, maxlength: 40, autocomplete: "off" });
      nameInput.addEventListener("input", () => (variant.name = nameInput.value));
      const box = h(
        "div",
        { class: "variant", role: "group", "aria-label": t("variant_n", { n: index + 1 }) },
        h("label", { for: nameInput.id }, t("variant_name", { n: index + 1 })),
        nameInput,
      );
      for (const [concept, edit] of edited) {
        const palette = state.preset!.palette.concepts[concept]!;
        const current = variant.values[concept] ?? edit.value;
        variant.values[concept] = current;
        box.append(
          valuePicker(
            `${t("variant_n", { n: index + 1 })} ${nameOf(concept).text}`,
            edit,
            palette,
            (value) => (variant.values[concept] = value),
            `v${index}-${concept.toLowerCase()}`,
            current,
          ),
        );
      }
      const remove = h(
        "button",
        { type: "button", id: `remove-variant-${index}` },
        t("remove_variant", { n: index + 1 }),
      );
      remove.addEventListener("click", () => {
        state.variants.splice(index, 1);
        renderVariants();
        byId("add-variant").focus();
      });
      box.append(remove);
      list.append(box);
    });
    if (edited.length === 0) list.append(h("p", { class: "hint" }, t("tick_first")));
  });
}
/** Adds a variant, or says beside the button why not (the template's most). */
export function addVariant(): string | null {
  const limits = TEMPLATE_VARIANTS[selectedTemplate()?.slug ?? "before_after"];
  if (limits && state.variants.length >= limits.max) return t("variants_full", { max: limits.max });
  state.variants.push({ name: t("option_n", { n: state.variants.length + 1 }), values: {} });
  renderVariants();
  byId(`variant-${state.variants.length - 1}`).focus();
  return null;
}
export function variantsBody(): { name: string; concepts: ConceptMap }[] | undefined {
  if (byId("variants").hidden || state.variants.length === 0) return undefined;
  const base = conceptMap();
  return state.variants.map((variant, index) => ({
    name: variant.name.trim() || t("option_n", { n: index + 1 }),
    concepts: Object.fromEntries(
      Object.entries(base).map(([concept, edit]) => [
        concept,
        { action: edit.action, value: variant.values[concept] ?? edit.value },
      ]),
    ),
  }));
}
/** The variant count the template needs, as a sentence when the form has too few, else null. */
export function variantProblem(): string | null {
  const template = selectedTemplate();
  const limits = template ? TEMPLATE_VARIANTS[template.slug] : null;
  if (!template || !limits) return null;
  const count = state.variants.length;
  if ((template.needs_variants || count > 0) && count < limits.min)
    return t("variants_too_few", { min: limits.min, max: limits.max, count });
  return null;
}

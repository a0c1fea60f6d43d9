import { LOSSES, type LossDescriptor, type OptionDescriptor, type StateReduction } from '@lossflow/core';
import type { LossSpec } from './evalSpec.js';

/** The options of a loss a form can set: those a command line can (or whose values are named). */
function formOptions(d: LossDescriptor): [string, OptionDescriptor][] {
  return Object.entries(d.options).filter(
    ([key, o]) => key !== 'reduction' && (o.commandLine !== false || o.named !== undefined),
  );
}

function field(id: string, label: string, control: string, describe: string): string {
  return `<div class="row"><label for="${id}">${label}</label>${control}<span class="muted" id="${id}-help">${describe}</span></div>`;
}

function text(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * The options form of one loss, generated from its registry descriptor: each option as its type
 * wants it (number, list, switch, choice), filled with torch's default, and the reduction.
 *
 * @example
 * container.innerHTML = lossOptionsForm(lossDescriptor('crossEntropy'));
 */
export function lossOptionsForm(d: LossDescriptor): string {
  const rows: string[] = [];
  const reductions = d.reductions
    .map((r) => `<option value="${r}"${r === 'mean' ? ' selected' : ''}>${r}</option>`)
    .join('');
  rows.push(
    field(
      `${d.name}-reduction`,
      'reduction',
      `<select id="${d.name}-reduction" data-option="reduction" aria-describedby="${d.name}-reduction-help">${reductions}</select>`,
      'how rows reduce',
    ),
  );
  for (const [key, o] of formOptions(d)) {
    const id = `${d.name}-${key}`;
    const attrs = `id="${id}" data-option="${key}" aria-describedby="${id}-help"`;
    const value =
      o.default === undefined ? '' : Array.isArray(o.default) ? o.default.join(',') : String(o.default);
    let control: string;
    if (o.type === 'boolean')
      control = `<input type="checkbox" ${attrs}${o.default === true ? ' checked' : ''} />`;
    else if (o.type === 'choice' || o.named !== undefined) {
      const choices = o.named !== undefined ? Object.keys(o.named) : (o.choices ?? []);
      const none = o.default === undefined ? '<option value="">(default)</option>' : '';
      control = `<select ${attrs}>${none}${choices
        .map((c) => `<option value="${text(c)}"${c === o.default ? ' selected' : ''}>${text(c)}</option>`)
        .join('')}</select>`;
    } else
      control = `<input type="text" inputmode="${o.type === 'numbers' ? 'text' : 'decimal'}" ${attrs} value="${text(value)}" placeholder="${o.type === 'numbers' ? 'e.g. 0.5,1,2' : '(none)'}" />`;
    rows.push(field(id, text(o.torch), control, text(o.describe)));
  }
  return `<fieldset data-loss="${d.name}"><legend>${text(d.cliName)} <span class="muted">(torch.nn.${d.torch.module})</span></legend>${rows.join('')}</fieldset>`;
}

/** The losses as checkboxes, cross-entropy checked. */
export function lossPicker(): string {
  return LOSSES.map(
    (d) =>
      `<label><input type="checkbox" name="loss" value="${d.name}"${d.name === 'crossEntropy' ? ' checked' : ''} /> ${text(d.cliName)} <span class="muted">— ${text(d.summary)}</span></label>`,
  ).join('');
}

/**
 * The {@link LossSpec} a loss's filled-in form gives: options that differ from torch's defaults
 * (as the CLI's JSON lists only the flags given), in the descriptor's order.
 *
 * @throws {Error} naming the option, for a value that is not a number (or list of numbers).
 */
export function readLossForm(
  form: HTMLElement,
  d: LossDescriptor,
  columns: Record<string, string>,
): LossSpec {
  const options: Record<string, unknown> = {};
  const reduction = (form.querySelector<HTMLSelectElement>('[data-option="reduction"]')?.value ??
    'mean') as StateReduction;
  for (const [key, o] of formOptions(d)) {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-option="${key}"]`);
    if (el === null) continue;
    let value: unknown;
    if (o.type === 'boolean') value = (el as HTMLInputElement).checked;
    else if (el.value.trim() === '') continue;
    else if (o.type === 'choice' || o.named !== undefined) value = el.value;
    else if (o.type === 'numbers') value = el.value.split(',').map((s) => numberOf(s, o.torch));
    else value = numberOf(el.value, o.torch);
    const fallback = Array.isArray(o.default) ? o.default.join(',') : o.default;
    const same = Array.isArray(value) ? value.join(',') === fallback : value === fallback;
    if (!same) options[key] = value;
  }
  return { name: d.name, reduction, options, columns };
}

function numberOf(s: string, option: string): number {
  const n = Number(s.trim());
  if (s.trim() === '' || Number.isNaN(n)) throw new Error(`${option}: '${s.trim()}' is not a number`);
  return n;
}

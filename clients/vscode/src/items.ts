// The server's inline completion items and their accept command. Pure, for Node's test runner.

export const acceptCommand = 'code4me.acceptCompletion';

export interface LspPosition { line: number; character: number }
export interface LspRange { start: LspPosition; end: LspPosition }
export interface LspCommand { title: string; command: string; arguments?: unknown[] }
export interface LspInlineCompletionItem {
  insertText: string | { kind: 'snippet'; value: string };
  filterText?: string;
  range?: LspRange;
  command?: LspCommand;
}
export interface AcceptArguments { queryId: string; model?: string }

/** Items of a textDocument/inlineCompletion result (a list, an array, or null). */
export function itemsOf(result: unknown): LspInlineCompletionItem[] {
  const items = Array.isArray(result)
    ? result
    : result !== null && typeof result === 'object' && Array.isArray((result as { items?: unknown }).items)
      ? (result as { items: unknown[] }).items
      : [];
  return items.filter(isItem).filter((item) => insertTextOf(item) !== '');
}

function isItem(value: unknown): value is LspInlineCompletionItem {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const text = (value as { insertText?: unknown }).insertText;
  return typeof text === 'string'
    || (text !== null && typeof text === 'object' && typeof (text as { value?: unknown }).value === 'string');
}

export function insertTextOf(item: LspInlineCompletionItem): string {
  return typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
}

/** `{ queryId, model }` of the item's code4me.acceptCompletion command, or undefined. */
export function acceptArgumentsOf(item: LspInlineCompletionItem): AcceptArguments | undefined {
  const command = item.command;
  if (!command || command.command !== acceptCommand) {
    return undefined;
  }
  return parseAcceptArguments(command.arguments);
}

/** Parses the arguments of code4me.acceptCompletion (`[{ queryId, model }]`). */
export function parseAcceptArguments(args: readonly unknown[] | undefined): AcceptArguments | undefined {
  const first = args?.[0];
  if (first === null || typeof first !== 'object') {
    return undefined;
  }
  const { queryId, model } = first as { queryId?: unknown; model?: unknown };
  if (typeof queryId !== 'string' || queryId === '') {
    return undefined;
  }
  return typeof model === 'string' ? { queryId, model } : { queryId };
}

/** Length of a string in UTF-16 code units (what LSP and acceptedLength count). JS strings are UTF-16. */
export function utf16Length(text: string): number {
  return text.length;
}

/**
 * Whether VS Code shows `item` while its suggest widget is open with `selected` selected: the item must extend the
 * selected item's text over its range (LSP 3.18 selectedCompletionInfo; VS Code's default
 * `editor.inlineSuggest.experimental.showOnSuggestConflict` is `never`). `textBefore(start, end)` reads the buffer
 * between two positions of the caret's line; `caret` is where the request was made.
 */
export function extendsSelectedItem(
  item: LspInlineCompletionItem,
  selected: { range: LspRange; text: string },
  caret: LspPosition,
  textBetween: (start: LspPosition, end: LspPosition) => string,
): boolean {
  const start = item.range?.start ?? caret;
  const from = selected.range.start;
  if (start.line !== from.line || start.character < from.character) {
    return false;
  }
  const produced = textBetween(from, start) + insertTextOf(item);
  return produced.startsWith(selected.text) && produced.length > selected.text.length;
}

// What happened to each inline completion VS Code showed, told to the server. Pure (no `vscode`
// import): the extension feeds it editor events, Node's test runner feeds it scripted ones.
//
// Stable VS Code API has no "shown", "partially accepted" or "dismissed" event for inline completions
// (handleDidShowCompletionItem is a proposed API). So:
//   shown     - VS Code received items at the caret; it shows the first one.
//   accepted  - the item's command ran (the server records it from workspace/executeCommand).
//   partial   - a multi-character insertion at the caret that is a prefix of the rest (Accept Word/Line).
//   rejected  - the caret left the suggestion, the text diverged from it, its document closed,
//               or Escape dismissed it (our keybinding).
// Typing the characters the suggestion shows keeps it alive; a newer item then supersedes it silently.

import { acceptArgumentsOf, insertTextOf, LspInlineCompletionItem, parseAcceptArguments, utf16Length } from './items';

export type Notify = (method: string, params: unknown) => void;

/** Where the caret is: `linePrefix` is the text of its line before it. */
export interface Caret {
  uri: string;
  line: number;
  character: number;
  linePrefix: string;
}

interface Shown {
  item: LspInlineCompletionItem;
  uri: string;
  line: number;
  /** Line text before the caret when it was shown. */
  linePrefix: string;
  /** Of insertText, what is already in the buffer (typed or partly accepted). */
  done: string;
  /** Of insertText, what was in the buffer when it was shown (the item starts before the caret). */
  lead: number;
  /** The whole rest was inserted at once: an accept whose command is on its way. */
  inserted: boolean;
}

export class CompletionTracker {
  private current: Shown | undefined;

  constructor(private readonly notify: Notify) {}

  /** The item VS Code is showing, as the server sent it. */
  get shownItem(): LspInlineCompletionItem | undefined {
    return this.current?.item;
  }

  /** VS Code received `items` for the caret; it displays the first one. */
  shown(items: readonly LspInlineCompletionItem[], caret: Caret): void {
    const item = items[0];
    if (!item) {
      return;
    }
    const previous = this.current;
    if (previous && previous.item === item) {
      return;
    }
    this.settle(caret);
    // An item over the selected completion-list item (selectedCompletionInfo) starts before the caret: the word's typed
    // start is already in the buffer, so it counts as done from the item's start.
    const start = item.range && item.range.start.line === caret.line && item.range.start.character < caret.character
      ? item.range.start.character : caret.character;
    const typed = caret.linePrefix.slice(start);
    if (!insertTextOf(item).startsWith(typed)) {
      return;
    }
    this.current = { item, uri: caret.uri, line: caret.line, linePrefix: caret.linePrefix.slice(0, start), done: typed, lead: typed.length, inserted: false };
    this.notify('textDocument/didShowCompletion', { item });
  }

  /** The accept command ran with `args` (code4me.acceptCompletion's `[{ queryId, model }]`). */
  accepted(args: readonly unknown[] | undefined): void {
    const accepted = parseAcceptArguments(args);
    const current = this.current;
    if (current && accepted && acceptArgumentsOf(current.item)?.queryId === accepted.queryId) {
      this.current = undefined;
    }
  }

  /** Text was inserted at (line, character) of `uri` (one content change). */
  textInserted(uri: string, line: number, character: number, text: string): void {
    const current = this.current;
    if (!current || current.uri !== uri || current.inserted) {
      return;
    }
    if (current.lead > 0 && line === current.line && character === utf16Length(current.linePrefix)
      && text === insertTextOf(current.item)) {
      current.inserted = true; // VS Code accepts an item by replacing its whole range
      current.done = text;
      return;
    }
    const rest = this.rest(current);
    const end = this.endOfDone(current);
    const sameSpot = line === end.line && character === end.character;
    if (!sameSpot || text === '' || !rest.startsWith(text)) {
      return; // divergence is judged from the caret (caretMoved), not here
    }
    if (text === rest) {
      current.inserted = true;
      current.done += text;
      return;
    }
    current.done += text;
    if (utf16Length(text) > 1) {
      this.notify('textDocument/didPartiallyAcceptCompletion', {
        item: current.item,
        acceptedLength: utf16Length(current.done) - current.lead,
      });
    }
  }

  /** The caret moved (typing moves it too). */
  caretMoved(caret: Caret): void {
    this.settle(caret, true);
  }

  /** A document closed. */
  documentClosed(uri: string): void {
    if (this.current?.uri === uri) {
      this.reject();
    }
  }

  /** The user dismissed the suggestion (Escape). */
  dismissed(): void {
    this.reject();
  }

  /** Where the caret is when the buffer holds `done` of the suggestion. */
  private endOfDone(current: Shown): { line: number; character: number } {
    const lines = current.done.split('\n');
    const last = lines[lines.length - 1] ?? '';
    return lines.length === 1
      ? { line: current.line, character: utf16Length(current.linePrefix) + utf16Length(last) }
      : { line: current.line + lines.length - 1, character: utf16Length(last) };
  }

  private rest(current: Shown): string {
    const text = insertTextOf(current.item);
    return text.startsWith(current.done) ? text.slice(current.done.length) : '';
  }

  /** Whether the editor at `caret` is still on the suggestion (the user typed along it, or nothing). */
  private continues(current: Shown, caret: Caret): boolean {
    if (caret.uri !== current.uri || caret.line !== current.line) {
      return false;
    }
    const full = current.linePrefix + insertTextOf(current.item);
    return caret.linePrefix.length >= current.linePrefix.length && full.startsWith(caret.linePrefix);
  }

  /** Decide the current item's fate now that the editor is at `caret`. */
  private settle(caret: Caret, keepIfContinues = false): void {
    const current = this.current;
    if (!current || current.inserted) {
      return; // an inserted item waits for its accept command (or the next item)
    }
    if (this.continues(current, caret)) {
      if (keepIfContinues) {
        current.done = caret.linePrefix.slice(current.linePrefix.length);
      } else {
        this.current = undefined; // typed along it: superseded by a newer item, not rejected
      }
      return;
    }
    this.reject();
  }

  private reject(): void {
    const current = this.current;
    this.current = undefined;
    if (current && !current.inserted) {
      this.notify('code4me/completionRejected', { item: current.item });
    }
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { CompletionTracker } = require('../out/test-lib/tracker.js');

const uri = 'file:///w/a.py';
const item = (text, queryId = 'q1') => ({
  insertText: text,
  command: { title: 'Accept', command: 'code4me.acceptCompletion', arguments: [{ queryId, model: 'ngram' }] },
});
const caret = (linePrefix, line = 3, u = uri) => ({ uri: u, line, character: linePrefix.length, linePrefix });

function harness() {
  const sent = [];
  const tracker = new CompletionTracker((method, params) => sent.push({ method, params }));
  return { tracker, sent, methods: () => sent.map((m) => m.method) };
}

test('shown_FirstItem_SendsDidShowWithTheItemAsReceived', () => {
  const { tracker, sent } = harness();
  const first = item('path)');
  tracker.shown([first, item('other', 'q2')], caret('x = f('));
  assert.deepEqual(sent, [{ method: 'textDocument/didShowCompletion', params: { item: first } }]);
});

test('shown_SameItemAgain_SendsNothingMore', () => {
  const { tracker, methods } = harness();
  const first = item('path)');
  tracker.shown([first], caret('x = f('));
  tracker.shown([first], caret('x = f('));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('accepted_CommandForShownItem_NoRejectionAfterwards', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('x = f('));
  tracker.textInserted(uri, 3, 6, 'path)');
  tracker.accepted([{ queryId: 'q1', model: 'ngram' }]);
  tracker.caretMoved(caret('', 9));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('textInserted_WholeRestThenCaretElsewhere_WaitsForTheAcceptCommand', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('a\nb')], caret('x = '));
  tracker.textInserted(uri, 3, 4, 'a\nb');
  tracker.caretMoved(caret('b', 4));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('caretMoved_TypingAlongTheSuggestion_KeepsIt', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('x = f('));
  tracker.textInserted(uri, 3, 6, 'p');
  tracker.caretMoved(caret('x = f(p'));
  tracker.textInserted(uri, 3, 7, 'a');
  tracker.caretMoved(caret('x = f(pa'));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('caretMoved_TypedSomethingElse_SendsRejected', () => {
  const { tracker, sent } = harness();
  const shown = item('path)');
  tracker.shown([shown], caret('x = f('));
  tracker.textInserted(uri, 3, 6, 'z');
  tracker.caretMoved(caret('x = f(z'));
  assert.deepEqual(sent[1], { method: 'code4me/completionRejected', params: { item: shown } });
});

test('caretMoved_OtherLineOrDocument_SendsRejected', () => {
  for (const moved of [caret('', 4), caret('x = f(', 3, 'file:///w/b.py')]) {
    const { tracker, methods } = harness();
    tracker.shown([item('path)')], caret('x = f('));
    tracker.caretMoved(moved);
    assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'code4me/completionRejected']);
  }
});

test('shown_NewItemAfterTypingAlong_SupersedesWithoutRejection', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('x = f('));
  tracker.shown([item('ath)', 'q2')], caret('x = f(p'));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'textDocument/didShowCompletion']);
});

test('shown_NewItemAfterDiverging_RejectsThePreviousFirst', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('x = f('));
  tracker.shown([item('1)', 'q2')], caret('x = f(z'));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'code4me/completionRejected', 'textDocument/didShowCompletion']);
});

test('textInserted_AWordOfTheSuggestion_SendsPartialAcceptWithUtf16Length', () => {
  const { tracker, sent } = harness();
  const shown = item('näme😀, delimiter)');
  tracker.shown([shown], caret('f('));
  tracker.textInserted(uri, 3, 2, 'näme😀');
  assert.deepEqual(sent[1], { method: 'textDocument/didPartiallyAcceptCompletion', params: { item: shown, acceptedLength: 6 } });
  tracker.textInserted(uri, 3, 8, ', ');
  assert.deepEqual(sent[2].params.acceptedLength, 8);
});

test('textInserted_ElsewhereOrNotMatching_SendsNothing', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path, delimiter)')], caret('f('));
  tracker.textInserted(uri, 3, 0, 'path');
  tracker.textInserted(uri, 3, 2, 'pxth');
  tracker.textInserted('file:///w/b.py', 3, 2, 'path');
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('dismissed_WhileShown_SendsRejectedOnce', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('f('));
  tracker.dismissed();
  tracker.dismissed();
  assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'code4me/completionRejected']);
});

test('documentClosed_ItsDocument_SendsRejected', () => {
  const { tracker, methods } = harness();
  tracker.shown([item('path)')], caret('f('));
  tracker.documentClosed('file:///w/other.py');
  tracker.documentClosed(uri);
  assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'code4me/completionRejected']);
});

// VS Code's suggest widget open on `lo` with `loadtxt` selected: the server's item replaces `lo` (characters 7-9).
const overSelected = (text, queryId = 'q1') => ({
  ...item(text, queryId),
  range: { start: { line: 3, character: 7 }, end: { line: 3, character: 9 } },
});

test('shown_ItemOverTheSelectedCompletionItem_AcceptReplacingItsRange_WaitsForTheCommand', () => {
  const { tracker, methods } = harness();
  const shown = overSelected('loadtxt(path)\ny = 1');
  tracker.shown([shown], caret('x = np.lo'));
  tracker.textInserted(uri, 3, 7, 'loadtxt(path)\ny = 1'); // VS Code replaces the item's range
  tracker.caretMoved(caret('y = 1', 4));
  tracker.accepted([{ queryId: 'q1', model: 'ngram' }]);
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
});

test('shown_ItemOverTheSelectedCompletionItem_TypingAlongKeepsIt_DivergingRejects', () => {
  const { tracker, methods } = harness();
  tracker.shown([overSelected('loadtxt(path)')], caret('x = np.lo'));
  tracker.caretMoved(caret('x = np.loa'));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion']);
  tracker.caretMoved(caret('x = np.loaX'));
  assert.deepEqual(methods(), ['textDocument/didShowCompletion', 'code4me/completionRejected']);
});

test('textInserted_PartOfAnItemOverTheSelectedItem_AcceptedLengthCountsFromTheCaret', () => {
  const { tracker, sent } = harness();
  tracker.shown([overSelected('loadtxt(path)')], caret('x = np.lo'));
  tracker.textInserted(uri, 3, 9, 'adtxt');
  assert.deepEqual(sent[1], { method: 'textDocument/didPartiallyAcceptCompletion', params: { item: overSelected('loadtxt(path)'), acceptedLength: 5 } });
});

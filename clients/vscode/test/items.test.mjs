import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { itemsOf, acceptArgumentsOf, parseAcceptArguments, insertTextOf } = require('../out/test-lib/items.js');

const serverItem = {
  insertText: "path, delimiter=',')",
  range: { start: { line: 1, character: 15 }, end: { line: 1, character: 15 } },
  command: { title: 'Accept Code4me completion', command: 'code4me.acceptCompletion', arguments: [{ queryId: '01a2', model: 'ngram' }] },
};

test('itemsOf_InlineCompletionList_ReturnsItsItems', () => {
  assert.deepEqual(itemsOf({ items: [serverItem] }), [serverItem]);
});

test('itemsOf_BareArray_ReturnsTheItems', () => {
  assert.deepEqual(itemsOf([serverItem]), [serverItem]);
});

test('itemsOf_NullOrEmptyOrMalformed_ReturnsNothingUsable', () => {
  assert.deepEqual(itemsOf(null), []);
  assert.deepEqual(itemsOf({ items: [] }), []);
  assert.deepEqual(itemsOf({ items: [{ insertText: '' }, { insertText: 3 }, null] }), []);
});

test('insertTextOf_SnippetString_ReturnsItsValue', () => {
  assert.equal(insertTextOf({ insertText: { kind: 'snippet', value: 'a${1}' } }), 'a${1}');
});

test('acceptArgumentsOf_ServerItem_ReturnsQueryIdAndModel', () => {
  assert.deepEqual(acceptArgumentsOf(serverItem), { queryId: '01a2', model: 'ngram' });
});

test('acceptArgumentsOf_OtherCommandOrNone_Undefined', () => {
  assert.equal(acceptArgumentsOf({ insertText: 'x' }), undefined);
  assert.equal(acceptArgumentsOf({ insertText: 'x', command: { title: '', command: 'other', arguments: [{ queryId: 'q' }] } }), undefined);
});

test('parseAcceptArguments_MissingOrEmptyQueryId_Undefined', () => {
  assert.equal(parseAcceptArguments(undefined), undefined);
  assert.equal(parseAcceptArguments([]), undefined);
  assert.equal(parseAcceptArguments([{ queryId: '' }]), undefined);
  assert.equal(parseAcceptArguments(['q']), undefined);
  assert.deepEqual(parseAcceptArguments([{ queryId: 'q' }]), { queryId: 'q' });
});

test('extendsSelectedItem_ItemOverTheSelectedRangeOrAtTheCaret_ExtendingIt_True', () => {
  const { extendsSelectedItem } = require('../out/test-lib/items.js');
  const line = 'x = np.lo';
  const between = (a, b) => line.slice(a.character, b.character);
  const selected = { range: { start: { line: 0, character: 7 }, end: { line: 0, character: 9 } }, text: 'loadtxt' };
  const caret = { line: 0, character: 9 };
  const over = { insertText: 'loadtxt(path)', range: { start: { line: 0, character: 7 }, end: caret } };
  const atCaret = { insertText: 'adtxt(path)', range: { start: caret, end: caret } };
  assert.equal(extendsSelectedItem(over, selected, caret, between), true);
  assert.equal(extendsSelectedItem(atCaret, selected, caret, between), true);
  assert.equal(extendsSelectedItem({ insertText: 'ad_all(p)' }, selected, caret, between), false);
  assert.equal(extendsSelectedItem({ insertText: 'adtxt' }, selected, caret, between), false); // nothing past the item
});

// The chat view's page: past chats, the conversation (replies stream in; each reply takes feedback), the input.
// Plain DOM and VS Code's theme variables; a strict CSP with one nonce'd script.

export function chatViewHtml(nonce: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>
  body { padding: 0 8px; display: flex; flex-direction: column; height: 100vh; box-sizing: border-box; margin: 0;
         font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
  header { display: flex; gap: 4px; padding: 6px 0; }
  header select { flex: 1; min-width: 0; background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground);
                  border: 1px solid var(--vscode-dropdown-border); }
  button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground);
           border: none; padding: 2px 8px; cursor: pointer; }
  #log { flex: 1; overflow-y: auto; }
  .message { margin: 6px 0; padding: 6px; border-radius: 4px; white-space: pre-wrap; word-wrap: break-word; }
  .message.user { background: var(--vscode-editor-inactiveSelectionBackground); }
  .message.assistant { background: var(--vscode-editorWidget-background); }
  .message.error { color: var(--vscode-errorForeground); }
  .meta { font-size: 0.85em; opacity: 0.8; margin-top: 4px; display: flex; gap: 6px; align-items: center; }
  .meta button.chosen { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
  textarea { width: 100%; box-sizing: border-box; resize: vertical; min-height: 3em; margin: 6px 0;
             background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); }
</style>
</head>
<body>
<header>
  <select id="chats" title="Past chats"><option value="">New chat</option></select>
  <button id="new" title="Start a new chat">New</button>
</header>
<div id="log" role="log" aria-live="polite"></div>
<textarea id="message" placeholder="Ask about the open file or the selection (Enter sends, Shift+Enter: new line)"></textarea>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const log = document.getElementById('log');
  const input = document.getElementById('message');
  const chats = document.getElementById('chats');
  let answering = null;

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }
  function add(role, text) {
    const div = document.createElement('div');
    div.className = 'message ' + role;
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    div.appendChild(body);
    log.appendChild(div);
    scrollToEnd();
    return div;
  }
  function feedbackButtons(div, queryId, isMistake) {
    if (!queryId) return;
    const meta = div.querySelector('.meta') || div.appendChild(Object.assign(document.createElement('div'), { className: 'meta' }));
    for (const [label, mistake] of [['Helpful', false], ['Mistake', true]]) {
      const b = document.createElement('button');
      b.textContent = label;
      b.className = 'feedback' + (isMistake === mistake ? ' chosen' : '');
      b.dataset.mistake = String(mistake);
      b.addEventListener('click', () => vscode.postMessage({ type: 'feedback', queryId, isMistake: mistake }));
      meta.appendChild(b);
    }
    div.dataset.queryId = queryId;
  }
  function send() {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    vscode.postMessage({ type: 'send', message: text });
  }
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); }
  });
  document.getElementById('new').addEventListener('click', () => vscode.postMessage({ type: 'newChat' }));
  chats.addEventListener('change', () => {
    if (chats.value) vscode.postMessage({ type: 'openChat', chatId: chats.value });
    else vscode.postMessage({ type: 'newChat' });
  });

  window.addEventListener('message', (event) => {
    const m = event.data;
    switch (m.type) {
      case 'focus': input.focus(); break;
      case 'chats': {
        chats.replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: 'New chat' }));
        for (const c of m.chats) {
          chats.appendChild(Object.assign(document.createElement('option'), { value: c.chatId, textContent: c.title || c.chatId }));
        }
        chats.value = m.current || '';
        break;
      }
      case 'history': {
        log.replaceChildren();
        for (const msg of m.messages) {
          const div = add(msg.role === 'user' ? 'user' : 'assistant', msg.content);
          if (msg.role !== 'user') feedbackButtons(div, msg.queryId, msg.isMistake);
        }
        chats.value = m.chatId || '';
        break;
      }
      case 'user': add('user', m.text); break;
      case 'start': answering = add('assistant', ''); answering.classList.add('streaming'); break;
      case 'delta':
        if (!answering) answering = add('assistant', '');
        answering.querySelector('.text').textContent += m.text;
        answering.dataset.deltas = String(Number(answering.dataset.deltas || 0) + 1);
        scrollToEnd();
        break;
      case 'done':
        if (answering) {
          answering.classList.remove('streaming');
          answering.classList.add('done');
          if (m.model) {
            const meta = answering.appendChild(Object.assign(document.createElement('div'), { className: 'meta' }));
            meta.appendChild(Object.assign(document.createElement('span'), { textContent: m.model }));
          }
          feedbackButtons(answering, m.queryId, null);
          scrollToEnd();
        }
        answering = null;
        break;
      case 'feedbackRecorded':
        for (const b of log.querySelectorAll('[data-query-id="' + m.queryId + '"] button.feedback')) {
          b.classList.toggle('chosen', b.dataset.mistake === String(m.isMistake));
        }
        break;
      case 'error':
        if (answering) { answering.remove(); answering = null; }
        add('error', m.text);
        break;
    }
  });
  vscode.postMessage({ type: 'ready' });
</script>
</body>
</html>`;
}

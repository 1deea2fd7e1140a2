-- End-to-end test of clients/neovim against the real code4me-lsp, run by neovim_e2e.sh:
--   nvim --headless -u NONE -i NONE --cmd 'set rtp^=clients/neovim' -c 'luafile tests/clients/neovim_e2e.lua'
-- Keys are typed through the real input loop (nvim_feedkeys), so TextChangedI, the insert-mode
-- mappings and the ghost-text extmarks are the ones a user gets. The steps run in a coroutine
-- resumed by timers; every wait is bounded and a failure exits non-zero with the step that failed.

local api = vim.api
local exe = assert(os.getenv('CODE4ME_LSP_EXE'), 'CODE4ME_LSP_EXE is not set')
local workspace = assert(os.getenv('CODE4ME_TEST_WORKSPACE'), 'CODE4ME_TEST_WORKSPACE is not set')
local WAIT_MS = 20000

local step = 'start'

local function finish(code, message)
  io.stderr:write((code == 0 and 'neovim_e2e: PASS ' or 'neovim_e2e: FAIL at "' .. step .. '": ') .. message .. '\n')
  for _, client in ipairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  -- Give the server a moment to take shutdown/exit, then leave with the verdict.
  vim.wait(2000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 50)
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

local co

local function resume(...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then
    finish(1, tostring(err))
  end
end

-- Yield to the main loop (which processes typed keys and RPC) until cond() holds.
local function wait_until(what, cond)
  step = what
  local deadline = vim.loop.now() + WAIT_MS
  while true do
    local ok, value = pcall(cond)
    if ok and value then
      return value
    end
    if vim.loop.now() > deadline then
      error('timed out after ' .. WAIT_MS .. ' ms waiting for ' .. what .. (ok and '' or (': ' .. tostring(value))), 0)
    end
    vim.defer_fn(function()
      resume()
    end, 20)
    coroutine.yield()
  end
end

local function request(client, method, params, bufnr)
  local response
  client.request(method, params, function(err, result)
    response = { err = err, result = result }
  end, bufnr)
  wait_until('response to ' .. method, function()
    return response
  end)
  if response.err then
    error(method .. ' failed: ' .. vim.inspect(response.err), 0)
  end
  return response.result
end

local function type_keys(keys)
  api.nvim_feedkeys(api.nvim_replace_termcodes(keys, true, false, true), 'm', false)
end

local function check(cond, message)
  if not cond then
    error(message, 0)
  end
end

local function get_line_text(buf, row)
  return api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
end

local function write(path, lines)
  local f = assert(io.open(path, 'w'))
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
end

-- Messages the plugin shows (vim.notify), kept for the checks.
local notes = {}
vim.notify = function(message, level)
  notes[#notes + 1] = { message = tostring(message), level = level }
end

local function notes_matching(text)
  local n = 0
  for _, note in ipairs(notes) do
    if note.message:find(text, 1, true) then
      n = n + 1
    end
  end
  return n
end

local code4me = require('code4me')
local model_base = os.getenv('C4_MODEL_BASE')
local fim_line = os.getenv('C4_FIM_LINE')

-- How many FIM completions the loopback provider (run_all.sh) has served.
local function provider_completions()
  local out = vim.fn.system({ 'python3', '-c',
    'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())', model_base .. '/stats' })
  check(vim.v.shell_error == 0, 'GET /stats failed: ' .. out)
  return vim.fn.json_decode(out).completions
end

-- The extmark that draws ghost text on `row`, or nil.
local function ghost_mark(buf, row)
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, code4me.namespace, 0, -1, { details = true })) do
    local details = m[4]
    if m[2] == row and details.virt_text and details.virt_text[1] and details.virt_text[1][1] ~= '' then
      return m
    end
  end
  return nil
end

-- Invoke (the key) until what(suggestion) holds: settings pulled by the server apply a moment after they change.
local function invoke_until(what, cond)
  local deadline = vim.loop.now() + WAIT_MS
  while true do
    local before = code4me._state.responses
    code4me.dismiss()
    type_keys('<M-\\>')
    wait_until('a response to the invoke key (' .. what .. ')', function()
      return code4me._state.responses > before
    end)
    local suggestion = code4me.get_suggestion()
    if suggestion and cond(suggestion) then
      return suggestion
    end
    step = what
    check(vim.loop.now() < deadline, 'timed out waiting for ' .. what .. '; last suggestion: ' .. vim.inspect(suggestion))
  end
end

local function settings_with(completion)
  completion.blankLinePauseMs = 600000
  return { logging = { clientLevel = 'Warning' }, completion = completion }
end

local function remote_model(endpoint)
  return { name = 'editor-remote', kind = 'OpenAi', endpoint = endpoint, timeoutMs = 10000 }
end

local function missing_binary()
  -- A user without the server: one clear message, no error per file, chat says the same.
  local one, two = workspace .. '/missing1.py', workspace .. '/missing2.py'
  write(one, { 'x = 1' })
  write(two, { 'y = 2' })
  code4me.setup({ cmd = { workspace .. '/no-such-code4me-lsp' }, root_dir = workspace })
  step = 'open two files without a server binary'
  for _, file in ipairs({ one, two }) do
    local ok, err = pcall(vim.cmd, 'edit ' .. vim.fn.fnameescape(file))
    check(ok, 'opening a file without the server binary raised: ' .. tostring(err))
  end
  check(notes_matching('was not found') == 1, 'messages about the missing binary: ' .. vim.inspect(notes))
  check(code4me.statusline() == 'Code4me: not installed', 'statusline: ' .. code4me.statusline())
  local chat = code4me.chat('hello')
  local chat_text = table.concat(api.nvim_buf_get_lines(chat, 0, -1, false), '\n')
  check(chat_text:find('was not found', 1, true) ~= nil, 'chat without a server says: ' .. chat_text)
  vim.cmd('silent! %bwipeout!')
end

local function main()
  local teacher = workspace .. '/teacher.py'
  local target = workspace .. '/target.py'
  local lines = { 'import numpy as np', '' }
  for i = 1, 8 do
    lines[#lines + 1] = ('data%d = np.loadtxt(path, delimiter=",")'):format(i)
  end
  write(teacher, lines)
  write(target, { 'import numpy as np', '' })
  check(model_base ~= nil and fim_line ~= nil, 'run through tests/clients/run_all.sh (it starts the model provider)')

  vim.cmd('filetype on')
  missing_binary()
  code4me.setup({
    cmd = { exe },
    root_dir = workspace,
    settings = settings_with({}),
  })

  step = 'open teacher.py'
  vim.cmd('edit ' .. vim.fn.fnameescape(teacher))
  local teacher_buf = api.nvim_get_current_buf()
  vim.cmd('edit ' .. vim.fn.fnameescape(target))
  local buf = api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'python', 'filetype detection did not give python: ' .. vim.bo[buf].filetype)

  local client = wait_until('the code4me client to initialize', function()
    local c = require('code4me').get_client(buf)
    return c and c.initialized and c
  end)
  check(vim.lsp.buf_is_attached(teacher_buf, client.id), 'teacher.py is not attached to the code4me client')

  -- The server holds both documents exactly as the editor does.
  for _, b in ipairs({ teacher_buf, buf }) do
    local state = request(client, 'code4me/documentState', { textDocument = { uri = vim.uri_from_bufnr(b) } }, b)
    check(state.lineCount ~= nil, 'code4me/documentState gave no lineCount for ' .. api.nvim_buf_get_name(b))
  end

  -- Type the start of a call the teacher file uses eight times; automatic triggers fire while typing.
  vim.cmd('normal! G')
  type_keys('odata9 = np.loadtxt(')
  wait_until('the typed text to reach the buffer', function()
    return api.nvim_get_current_line() == 'data9 = np.loadtxt(' and api.nvim_get_mode().mode == 'i'
  end)
  local row = api.nvim_win_get_cursor(0)[1] - 1

  -- Also ask explicitly (the invoke key), as a user who does not wait for the automatic trigger would.
  type_keys('<M-\\>')
  local mark = wait_until('ghost text (an extmark with virt_text) on the typed line', function()
    return ghost_mark(buf, row)
  end)
  local details = mark[4]
  local first_line = details.virt_text[1][1]
  local ghost = first_line
  for _, vl in ipairs(details.virt_lines or {}) do
    ghost = ghost .. '\n' .. vl[1][1]
  end
  local suggestion = require('code4me').get_suggestion()
  check(suggestion ~= nil, 'extmark present but the plugin holds no suggestion')
  check(suggestion.text == ghost, ('ghost text %q differs from the suggestion %q'):format(ghost, suggestion.text))
  check(first_line:find('path', 1, true) ~= nil, ('ghost text %q does not continue the taught pattern'):format(first_line))
  local item = suggestion.item
  local query_id = item.command and item.command.arguments and item.command.arguments[1].queryId
  check(type(query_id) == 'string', 'the item carries no code4me.acceptCompletion queryId: ' .. vim.inspect(item))

  -- Accept with the accept key (Tab), then leave insert mode.
  type_keys('<Tab>')
  wait_until('the accepted completion in the buffer', function()
    return not require('code4me').is_visible()
      and table.concat(api.nvim_buf_get_lines(buf, row, -1, false), '\n') == 'data9 = np.loadtxt(' .. ghost
  end)
  type_keys('<Esc>')
  wait_until('normal mode', function()
    return api.nvim_get_mode().mode == 'n'
  end)
  check(#api.nvim_buf_get_extmarks(buf, require('code4me').namespace, 0, -1, {}) == 0, 'ghost text left behind after accept')

  -- The server saw the same text (documentState) and recorded shown + accepted (queryState).
  local text = table.concat(api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. (vim.bo[buf].eol and '\n' or '')
  local doc = request(client, 'code4me/documentState', { textDocument = { uri = vim.uri_from_bufnr(buf) } }, buf)
  check(doc.sha256 == vim.fn.sha256(text), 'the server text differs from the buffer after accept: ' .. vim.inspect(doc))
  local recorded
  local deadline = vim.loop.now() + WAIT_MS
  while true do
    recorded = request(client, 'code4me/queryState', { queryId = query_id }, buf)
    if recorded.accepted == true and (recorded.shownCount or 0) >= 1 then
      break
    end
    step = 'the server to record shown + accepted'
    check(vim.loop.now() < deadline, 'server state for the query: ' .. vim.inspect(recorded))
    local resume_at = vim.loop.now() + 100
    wait_until('a pause before asking again', function()
      return vim.loop.now() >= resume_at
    end)
  end
  check(recorded.rejected ~= true, 'server recorded the accepted completion as rejected: ' .. vim.inspect(recorded))

  -- Typing that diverges from the ghost text rejects it: the server records rejected for that query.
  type_keys('odata10 = np.loadtxt(')
  local suggestion2 = wait_until('ghost text for the second line', function()
    return require('code4me').get_suggestion()
  end)
  local rejected_id = suggestion2.item.command.arguments[1].queryId
  check(rejected_id ~= query_id, 'the second completion reused the first query id')
  local diverging = suggestion2.text:sub(1, 1) == 'Z' and 'Q' or 'Z'
  type_keys(diverging)
  wait_until('the diverging key in the buffer', function()
    return api.nvim_get_current_line() == 'data10 = np.loadtxt(' .. diverging
  end)
  local state2
  deadline = vim.loop.now() + WAIT_MS
  while true do
    state2 = request(client, 'code4me/queryState', { queryId = rejected_id }, buf)
    if state2.rejected == true then
      break
    end
    step = 'the server to record the rejection'
    check(vim.loop.now() < deadline, 'server state for the diverged query: ' .. vim.inspect(state2))
    local resume_at = vim.loop.now() + 100
    wait_until('a pause before asking again', function()
      return vim.loop.now() >= resume_at
    end)
  end
  check(state2.accepted ~= true and state2.shownCount >= 1, 'diverged query: ' .. vim.inspect(state2))
  type_keys('<Esc>')
  wait_until('normal mode after the rejection', function()
    return api.nvim_get_mode().mode == 'n'
  end)
  wait_until('the statusline to say ready after the first completions', function()
    return code4me.statusline() == 'Code4me: ready'
  end)

  -- With nothing to cycle, next / previous do nothing (no literal ] or [); on the blank line after `o` no suggestion
  -- comes before a pause (blankLinePauseMs), so Tab indents.
  type_keys('o<M-]><M-[>x')
  wait_until('x alone on the new line', function()
    return api.nvim_get_current_line() == 'x'
  end)
  type_keys('<Esc>o<Tab>')
  wait_until('Tab to indent the blank line', function()
    return api.nvim_get_current_line() == '\t' and not code4me.is_visible()
  end)
  type_keys('<BS>')

  -- A remote model configured in the editor, next to the offline one, is called; both answers can be cycled.
  code4me.set_settings(settings_with({ models = { { name = 'ngram', kind = 'Offline' }, remote_model(model_base) } }))
  type_keys('data11 = np.loadtxt(')
  wait_until('the call typed on the new line', function()
    return api.nvim_get_current_line() == 'data11 = np.loadtxt('
  end)
  local two = invoke_until('two items, one of them from the editor-configured remote model', function(sg)
    return sg.count == 2
  end)
  local texts = { two.text }
  type_keys('<M-]>')
  local second = wait_until('next to show the second item', function()
    local sg = code4me.get_suggestion()
    return sg and sg.index == 2 and sg
  end)
  texts[2] = second.text
  check(vim.tbl_contains(texts, fim_line), 'the remote model\'s answer is not among the items: ' .. vim.inspect(texts))
  check(texts[1] ~= texts[2], 'next showed the same text: ' .. vim.inspect(texts))
  type_keys('<M-[>')
  wait_until('previous to show the first item again', function()
    local sg = code4me.get_suggestion()
    return sg and sg.index == 1 and sg.text == texts[1]
  end)
  wait_until('the statusline to say ready with the remote model answering', function()
    return code4me.statusline() == 'Code4me: ready'
  end)

  -- The accept-line key takes one line of a multi-line suggestion.
  code4me.dismiss()
  type_keys('<Esc>odef load(fname):<CR>')
  wait_until('a blank line in the new function', function()
    return api.nvim_get_current_line() == '' and api.nvim_get_mode().mode == 'i'
  end)
  local block = invoke_until('a two-line suggestion in the function body', function(sg)
    if sg.text:find('\n', 1, true) then
      return true
    end
    return code4me.next() and code4me.get_suggestion().text:find('\n', 1, true) ~= nil
  end)
  block = code4me.get_suggestion()
  local first, rest = block.text:match('^([^\n]*)\n(.*)$')
  local block_row = api.nvim_win_get_cursor(0)[1] - 1
  type_keys('<M-C-Right>')
  wait_until('the first line of the suggestion accepted, the rest still shown', function()
    local sg = code4me.get_suggestion()
    return get_line_text(buf, block_row) == first and sg and sg.text == '\n' .. rest
  end)
  type_keys('<M-C-Right>')
  wait_until('the second line accepted too', function()
    return not code4me.is_visible() and get_line_text(buf, block_row) == first and get_line_text(buf, block_row + 1) == rest
  end)

  -- manualOnly from the editor: typing asks no model; the invoke key still does.
  code4me.set_settings(settings_with({ manualOnly = true, models = { remote_model(model_base) } }))
  type_keys('<Esc>odata12 = np.loadtxt')
  local quiet = false
  local deadline = vim.loop.now() + WAIT_MS
  while not quiet do
    local served = provider_completions()
    local before = code4me._state.responses
    type_keys('(')
    wait_until('the response to the automatic request', function()
      return code4me._state.responses > before
    end)
    quiet = provider_completions() == served and not code4me.is_visible()
    if not quiet then
      code4me.dismiss()
      type_keys('<BS>')
    end
    step = 'manualOnly from the editor to stop automatic requests'
    check(vim.loop.now() < deadline, 'automatic requests still reach the model after manualOnly = true')
  end
  invoke_until('the invoke key to ask the model under manualOnly', function(sg)
    return sg.text == fim_line
  end)
  code4me.dismiss()

  -- A configured model that is down: one warning for the outage, and the statusline says so.
  code4me.set_settings(settings_with({ models = { remote_model('http://127.0.0.1:1') } }))
  local warnings_before = notes_matching('is unreachable')
  local deadline2 = vim.loop.now() + WAIT_MS
  while not (code4me.status() and code4me.status().state == 'unreachable') do
    local before = code4me._state.responses
    type_keys('<M-\\>')
    wait_until('a response while the model is down', function()
      return code4me._state.responses > before
    end)
    step = 'the status to say unreachable'
    check(vim.loop.now() < deadline2, 'status: ' .. vim.inspect(code4me.status()))
  end
  for _ = 1, 2 do
    local before = code4me._state.responses
    type_keys('<M-\\>')
    wait_until('another response while the model is down', function()
      return code4me._state.responses > before
    end)
  end
  wait_until('the warning about the unreachable model', function()
    return notes_matching('is unreachable') > warnings_before
  end)
  check(notes_matching('is unreachable') == warnings_before + 1, 'warnings for one outage: ' .. vim.inspect(notes))
  wait_until('the statusline to say unreachable', function()
    return code4me.statusline() == 'Code4me: unreachable'
  end)
  code4me.set_settings(settings_with({ models = { remote_model(model_base) } }))
  invoke_until('the model to answer again', function(sg)
    return sg.text == fim_line
  end)
  wait_until('the status to be ready again', function()
    return code4me.statusline() == 'Code4me: ready'
  end)
  code4me.dismiss()
  type_keys('<Esc>')
  wait_until('normal mode before :e', function()
    return api.nvim_get_mode().mode == 'n'
  end)

  -- :e and :e! re-read the file; the buffer is attached again and the server holds its text.
  vim.cmd('write')
  for _, command in ipairs({ 'edit', 'edit!' }) do
    vim.cmd(command)
    wait_until('the buffer attached again after :' .. command, function()
      return vim.lsp.buf_is_attached(buf, client.id)
    end)
    local reread = table.concat(api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
    wait_until('the server to hold the text after :' .. command, function()
      local d = request(client, 'code4me/documentState', { textDocument = { uri = vim.uri_from_bufnr(buf) } }, buf)
      return d.sha256 == vim.fn.sha256(reread)
    end)
  end

  -- Unnamed buffers are documents of their own (untitled: URIs), each held exactly by the server.
  local unnamed = {}
  for i, text in ipairs({ 'a = 1', 'b = 2' }) do
    vim.cmd('enew')
    local b = api.nvim_get_current_buf()
    api.nvim_buf_set_lines(b, 0, -1, false, { text })
    vim.bo[b].filetype = 'python'
    unnamed[i] = b
    wait_until('unnamed buffer ' .. i .. ' attached', function()
      return vim.lsp.buf_is_attached(b, client.id)
    end)
  end
  local uris = { vim.uri_from_bufnr(unnamed[1]), vim.uri_from_bufnr(unnamed[2]) }
  check(uris[1] ~= uris[2] and uris[1]:sub(1, 9) == 'untitled:' and uris[2]:sub(1, 9) == 'untitled:', 'unnamed URIs: ' .. vim.inspect(uris))
  for i, b in ipairs(unnamed) do
    local text = table.concat(api.nvim_buf_get_lines(b, 0, -1, false), '\n') .. '\n'
    wait_until('the server to hold unnamed buffer ' .. i, function()
      local d = request(client, 'code4me/documentState', { textDocument = { uri = uris[i] } }, b)
      return d.sha256 == vim.fn.sha256(text)
    end)
  end

  -- Chat: the reply streams into the scratch buffer.
  local chat_buf = require('code4me').chat('What does np.loadtxt return?')
  local answer = wait_until('the chat reply', function()
    if next(require('code4me')._state.chat.tokens) ~= nil then
      return nil
    end
    local chat_lines = api.nvim_buf_get_lines(chat_buf, 0, -1, false)
    for i, l in ipairs(chat_lines) do
      if l == '## Code4me' and chat_lines[i + 2] and chat_lines[i + 2] ~= '' then
        return chat_lines[i + 2]
      end
    end
    return nil
  end)
  -- run_all.sh points the server at a loopback chat provider that streams C4_CHAT_REPLY in three pieces.
  local expected = os.getenv('C4_CHAT_REPLY')
  check(expected ~= nil, 'run through tests/clients/run_all.sh (it starts the chat provider)')
  check(answer == expected, 'chat reply: ' .. answer)
  local chat_win = vim.fn.bufwinid(chat_buf)
  check(api.nvim_win_get_cursor(chat_win)[1] == api.nvim_buf_line_count(chat_buf),
    ('the chat window is not at the end: line %d of %d'):format(api.nvim_win_get_cursor(chat_win)[1], api.nvim_buf_line_count(chat_buf)))
  local chat_outcome = 'chat reply streamed into the buffer, which follows its end'

  finish(0, ('ghost text %q accepted (server: shownCount=%d accepted=true); diverging keystroke recorded as rejected; %s'):format(first_line, recorded.shownCount, chat_outcome))
end

co = coroutine.create(function()
  local ok, err = pcall(main)
  if not ok then
    finish(1, tostring(err))
  end
end)

-- Start once the main loop runs, so typed keys are processed.
vim.defer_fn(resume, 0)

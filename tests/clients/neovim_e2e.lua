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

local function write(path, lines)
  local f = assert(io.open(path, 'w'))
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
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

  vim.cmd('filetype on')
  require('code4me').setup({
    cmd = { exe },
    root_dir = workspace,
    settings = { logging = { clientLevel = 'Warning' } },
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
    local marks = api.nvim_buf_get_extmarks(buf, require('code4me').namespace, 0, -1, { details = true })
    for _, m in ipairs(marks) do
      local details = m[4]
      if m[2] == row and details.virt_text and details.virt_text[1] and details.virt_text[1][1] ~= '' then
        return m
      end
    end
    return nil
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
  local chat_outcome = 'chat reply streamed into the buffer'

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

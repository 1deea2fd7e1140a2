-- Code4me for Neovim 0.7+: starts code4me-lsp, shows its inline completions as ghost text,
-- and reports shown / accepted / partially accepted / rejected back to the server.
-- Only APIs present in Neovim 0.7 are used; newer ones are taken when they exist.

local api = vim.api

local M = {}

local ns = api.nvim_create_namespace('code4me')
local augroup_name = 'code4me'

M.defaults = {
  -- The server command. Point it at the published executable if it is not on PATH.
  cmd = { 'code4me-lsp' },
  -- Filetypes to attach to; nil attaches to every normal file buffer.
  filetypes = nil,
  -- A directory, or function(bufnr) -> directory; defaults to the current working directory.
  root_dir = nil,
  -- The `code4me` settings object, sent as initializationOptions and given to the server whenever it asks
  -- (workspace/configuration); change it at runtime with require('code4me').set_settings({...}).
  -- (e.g. { completion = { manualOnly = false }, logging = { clientLevel = 'Warning' } }).
  settings = {},
  -- Request completions while typing (the server debounces and supersedes them).
  auto_trigger = true,
  -- Insert-mode keys; set one to false to leave it unmapped. Keys that have nothing to do
  -- (no ghost text shown) fall through to their usual meaning.
  keymaps = {
    accept = '<Tab>',
    accept_word = '<M-Right>',
    accept_line = '<M-C-Right>',
    next = '<M-]>',
    prev = '<M-[>',
    dismiss = '<C-]>',
    invoke = '<M-\\>',
  },
  hl_group = 'Comment',
}

local config = vim.deepcopy(M.defaults)

-- clients[root] = client id; suggestion = the ghost text on screen (at most one).
local state = {
  clients = {},
  seq = 0,
  pending = nil,
  suggestion = nil,
  chat = { bufnr = nil, id = nil, tokens = {}, streamed = {}, count = 0 },
  -- The last code4me/status: { state = 'ready'|'thinking'|'unreachable', consent = bool, message = string? }.
  status = nil,
  -- Inline-completion responses received (tests wait on it).
  responses = 0,
  -- Set once the server command was found missing: one message, then no more attempts.
  missing = nil,
}

local has_inline_virt_text = vim.fn.has('nvim-0.10') == 1

local function log_error(message)
  vim.notify('Code4me: ' .. message, vim.log.levels.ERROR)
end

-- Buffers without a name get an `untitled:` URI of their own (as VS Code does), not the `file://` they would all
-- share: two unnamed buffers are two documents. Only buffers this plugin attached are affected.
local uri_from_bufnr = vim.uri_from_bufnr
local function untitled_uri(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  return vim.b[bufnr].code4me_untitled
end
vim.uri_from_bufnr = function(bufnr)
  return untitled_uri(bufnr) or uri_from_bufnr(bufnr)
end

-- Positions -------------------------------------------------------------------------------

-- The server speaks UTF-16 positions (we offer only utf-16 in general.positionEncodings).
local function utf16_index(line, byte_col)
  local _, utf16 = vim.str_utfindex(line, byte_col)
  return utf16
end

local function byte_index(line, utf16_col)
  local ok, col = pcall(vim.str_byteindex, line, utf16_col, true)
  if ok then
    return col
  end
  return #line
end

local function get_line(bufnr, row)
  return api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
end

local function utf16_len(text)
  local _, n = vim.str_utfindex(text)
  return n
end

local function split_lines(text)
  local lines = vim.split(text, '\n', true)
  for i, l in ipairs(lines) do
    lines[i] = l:gsub('\r$', '')
  end
  return lines
end

-- Clients ---------------------------------------------------------------------------------

local function resolve_root(bufnr)
  local root = config.root_dir
  if type(root) == 'function' then
    root = root(bufnr)
  end
  return root or vim.fn.getcwd()
end

local function make_capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.general = caps.general or {}
  caps.general.positionEncodings = { 'utf-16' }
  caps.textDocument = caps.textDocument or {}
  caps.textDocument.inlineCompletion = { dynamicRegistration = false }
  -- The handler exists in every Neovim with LSP (it answers from `settings`); 0.7 does not advertise it.
  caps.workspace = caps.workspace or {}
  caps.workspace.configuration = true
  return caps
end

-- The settings as sent: an empty Lua table would go out as a JSON array.
local function settings_object()
  local settings = config.settings or {}
  if next(settings) == nil then
    return vim.empty_dict()
  end
  return settings
end

--- The code4me client attached to `bufnr` (or, for bufnr == nil, any running code4me client).
function M.get_client(bufnr)
  for root, id in pairs(state.clients) do
    local client = vim.lsp.get_client_by_id(id)
    if not client then
      state.clients[root] = nil
    elseif bufnr == nil or vim.lsp.buf_is_attached(bufnr, id) then
      return client
    end
  end
  return nil
end

-- Every window that shows the chat follows its end, so new text is on screen.
local function scroll_chat(bufnr)
  local last = api.nvim_buf_line_count(bufnr)
  for _, win in ipairs(api.nvim_list_wins()) do
    if api.nvim_win_get_buf(win) == bufnr then
      api.nvim_win_set_cursor(win, { last, 0 })
    end
  end
end

local function append_chat(bufnr, text)
  if not api.nvim_buf_is_valid(bufnr) then
    return
  end
  local pieces = vim.split(text, '\n', true)
  local last = api.nvim_buf_line_count(bufnr) - 1
  local tail = get_line(bufnr, last)
  pieces[1] = tail .. pieces[1]
  api.nvim_buf_set_lines(bufnr, last, last + 1, false, pieces)
  scroll_chat(bufnr)
end

local function status_handler(_, result)
  if type(result) == 'table' then
    state.status = result
    pcall(vim.cmd, 'redrawstatus')
  end
end

local function show_message_handler(_, result)
  if type(result) == 'table' and type(result.message) == 'string' then
    local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }
    local message = result.message
    if message:sub(1, 9) ~= 'Code4me: ' then
      message = 'Code4me: ' .. message
    end
    vim.notify(message, levels[result.type] or vim.log.levels.INFO)
  end
end

--- A short status for a statusline: 'Code4me: ready', 'Code4me: thinking', 'Code4me: unreachable', with
--- ' (consent on)' when telemetry consent is on; '' when no server runs. E.g.
--- vim.o.statusline = '%f %= %{v:lua.require("code4me").statusline()}'
function M.statusline()
  local s = state.status
  if state.missing then
    return 'Code4me: not installed'
  end
  if not s or not M.get_client(nil) then
    return ''
  end
  return 'Code4me: ' .. tostring(s.state) .. (s.consent and ' (consent on)' or '')
end

--- The last code4me/status the server sent: { state, consent, message } or nil.
function M.status()
  return state.status
end

--- Replace the `code4me` settings at runtime; every running server asks for them again and applies them
--- (models included) without a restart.
function M.set_settings(settings)
  config.settings = settings or {}
  for _, id in pairs(state.clients) do
    local client = vim.lsp.get_client_by_id(id)
    if client then
      client.config.settings = { code4me = settings_object() }
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end
  end
end

-- The server command, or nil (once, with a message saying what to do) when it cannot be run.
local function server_command()
  if state.missing then
    return nil
  end
  local program = config.cmd and config.cmd[1]
  if type(program) ~= 'string' or vim.fn.executable(program) ~= 1 then
    state.missing = tostring(program)
    vim.notify(('Code4me: the server %q was not found or is not executable. Install it (see clients/neovim/README.md) '
      .. 'or pass its full path as cmd to setup(); Code4me stays off until then.'):format(tostring(program)), vim.log.levels.WARN)
    return nil
  end
  return config.cmd
end

local function progress_handler(err, result, ctx, handler_config)
  local token = result and result.token
  local chat_buf = token ~= nil and state.chat.tokens[token]
  if chat_buf then
    local value = result.value
    local delta = type(value) == 'string' and value
      or type(value) == 'table' and (value.delta or value.reply or value.message)
      or nil
    if type(delta) == 'string' then
      state.chat.streamed[token] = true
      append_chat(chat_buf, delta)
    end
    return
  end
  local default = vim.lsp.handlers['$/progress']
  if default then
    return default(err, result, ctx, handler_config)
  end
end

local function start_client(bufnr)
  local root = resolve_root(bufnr)
  local id = state.clients[root]
  if id and not vim.lsp.get_client_by_id(id) then
    id = nil
  end
  if not id then
    local cmd = server_command()
    if not cmd then
      return nil
    end
    local init_options = nil
    if next(config.settings or {}) ~= nil then
      init_options = config.settings
    end
    id = vim.lsp.start_client({
      name = 'code4me',
      cmd = cmd,
      root_dir = root,
      init_options = init_options,
      settings = { code4me = settings_object() },
      capabilities = make_capabilities(),
      flags = { debounce_text_changes = 0 },
      handlers = {
        ['$/progress'] = progress_handler,
        ['code4me/status'] = status_handler,
        ['window/showMessage'] = show_message_handler,
      },
      on_exit = function()
        if state.clients[root] == id then
          state.clients[root] = nil
        end
      end,
    })
    if not id then
      log_error('could not start ' .. table.concat(config.cmd, ' '))
      return nil
    end
    state.clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- Ghost text ------------------------------------------------------------------------------

local function clear_marks(bufnr)
  if bufnr and api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  end
end

-- The part of the current item still to insert: insertText minus what the buffer already holds
-- (text inside the item's range before the caret, and what the user typed through since).
local function remaining(s)
  local text = s.items[s.index].insertText or ''
  if type(text) == 'table' then -- a StringValue snippet: show it as plain text
    text = text.value or ''
  end
  local done = s.prefix .. s.typed
  if done ~= '' then
    if text:sub(1, #done) ~= done then
      return nil
    end
    text = text:sub(#done + 1)
  end
  return text
end

local function render(s)
  clear_marks(s.bufnr)
  local text = remaining(s) or ''
  local lines = split_lines(text)
  local col = s.col + #s.typed
  local line = get_line(s.bufnr, s.row)
  local opts = {
    virt_text = { { lines[1], config.hl_group } },
    hl_mode = 'combine',
  }
  if has_inline_virt_text then
    opts.virt_text_pos = 'inline'
  elseif col >= #line then
    opts.virt_text_pos = 'overlay'
  else
    opts.virt_text_pos = 'eol'
  end
  if #lines > 1 then
    local virt_lines = {}
    for i = 2, #lines do
      virt_lines[#virt_lines + 1] = { { lines[i], config.hl_group } }
    end
    opts.virt_lines = virt_lines
  end
  s.mark = api.nvim_buf_set_extmark(s.bufnr, ns, s.row, math.min(col, #line), opts)
end

local function current_item(s)
  return s.items[s.index]
end

local function notify_client(s, method, params)
  local client = vim.lsp.get_client_by_id(s.client_id)
  if client then
    client.notify(method, params)
  end
end

local function show(s)
  render(s)
  notify_client(s, 'textDocument/didShowCompletion', { item = current_item(s) })
end

local function clear()
  local s = state.suggestion
  state.suggestion = nil
  if s then
    clear_marks(s.bufnr)
  end
  return s
end

--- Whether ghost text is on screen.
function M.is_visible()
  return state.suggestion ~= nil
end

--- The ghost text on screen: { text = remaining text, item = the server's item, index, count } or nil.
function M.get_suggestion()
  local s = state.suggestion
  if not s then
    return nil
  end
  return { text = remaining(s), item = current_item(s), index = s.index, count = #s.items }
end

--- Dismiss the ghost text and tell the server it was rejected.
function M.dismiss()
  local s = clear()
  if s then
    notify_client(s, 'code4me/completionRejected', { item = current_item(s) })
  end
  return s ~= nil
end

local function cancel_pending()
  local p = state.pending
  state.pending = nil
  if p then
    local client = vim.lsp.get_client_by_id(p.client_id)
    if client then
      client.cancel_request(p.request_id)
    end
  end
end

local function insert_at_cursor(bufnr, text)
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local lines = split_lines(text)
  api.nvim_buf_set_text(bufnr, row, col, row, col, lines)
  if #lines == 1 then
    api.nvim_win_set_cursor(0, { row + 1, col + #lines[1] })
  else
    api.nvim_win_set_cursor(0, { row + #lines, #lines[#lines] })
  end
end

--- Accept the whole ghost text: insert it and run the item's command (code4me.acceptCompletion).
function M.accept()
  local s = state.suggestion
  if not s then
    return false
  end
  local text = remaining(s) or ''
  local item = current_item(s)
  clear()
  insert_at_cursor(s.bufnr, text)
  local client = vim.lsp.get_client_by_id(s.client_id)
  if client and type(item.command) == 'table' and item.command.command then
    client.request('workspace/executeCommand', {
      command = item.command.command,
      arguments = item.command.arguments,
    }, function(err)
      if err then
        log_error('accept command failed: ' .. tostring(err.message))
      end
    end, s.bufnr)
  end
  return true
end

local function accept_part(pattern_fn)
  local s = state.suggestion
  if not s then
    return false
  end
  local text = remaining(s) or ''
  local part = pattern_fn(text)
  if part == text then
    return M.accept()
  end
  insert_at_cursor(s.bufnr, part)
  if part:find('\n', 1, true) then
    -- The ghost text moves down with the cursor: what was accepted joins the prefix, typing starts afresh there.
    local cursor = api.nvim_win_get_cursor(0)
    s.prefix = s.prefix .. s.typed .. part
    s.typed = ''
    s.row, s.col = cursor[1] - 1, cursor[2]
  else
    s.typed = s.typed .. part
  end
  render(s)
  notify_client(s, 'textDocument/didPartiallyAcceptCompletion', {
    item = current_item(s),
    acceptedLength = utf16_len(s.prefix .. s.typed),
  })
  return true
end

--- Accept the next word (or the rest of the line) of the ghost text; reports the accepted length.
function M.accept_word()
  return accept_part(function(text)
    return text:match('^\n') or text:match('^%s*[%w_]+') or text:match('^%s*[^%w_%s]+') or text:match('^%s+') or text
  end)
end

--- Accept the rest of the ghost text's current line (at a line break: the break and the next line); reports the
--- accepted length.
function M.accept_line()
  return accept_part(function(text)
    return text:match('^\r?\n?[^\r\n]+') or text
  end)
end

local function cycle(step)
  local s = state.suggestion
  if not s or #s.items < 2 then
    return false
  end
  local n = #s.items
  for _ = 1, n - 1 do
    s.index = (s.index - 1 + step) % n + 1
    if remaining(s) ~= nil then
      break
    end
  end
  show(s)
  return true
end

function M.next()
  return cycle(1)
end

function M.prev()
  return cycle(-1)
end

-- Keep the ghost text while the user types through it; reject it when the buffer or the cursor diverges.
local function sync()
  local s = state.suggestion
  if not s then
    return
  end
  local bufnr = api.nvim_get_current_buf()
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  if bufnr ~= s.bufnr or row ~= s.row or col < s.col then
    M.dismiss()
    return
  end
  local typed = get_line(bufnr, row):sub(s.col + 1, col)
  local old = s.typed
  s.typed = typed
  local rest = remaining(s)
  if rest == nil then
    s.typed = old
    M.dismiss()
  elseif rest == '' then
    clear() -- typed through to the end: nothing left to show
  elseif typed ~= old then
    render(s)
  end
end

--- Request an inline completion at the cursor. kind: 1 = invoked (a key), 2 = automatic (typing).
function M.request(kind)
  kind = kind or 1
  local bufnr = api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  if not client then
    if kind == 1 then
      log_error('no code4me server is attached to this buffer')
    end
    return false
  end
  cancel_pending()
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local line = get_line(bufnr, row)
  local tick = api.nvim_buf_get_changedtick(bufnr)
  state.seq = state.seq + 1
  local seq = state.seq
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = utf16_index(line, col) },
    context = { triggerKind = kind },
  }
  local ok, request_id = client.request('textDocument/inlineCompletion', params, function(err, result)
    state.responses = state.responses + 1
    if seq ~= state.seq then
      return -- a newer request owns the screen
    end
    state.pending = nil
    if err then
      if kind == 1 or err.code ~= -32800 then
        log_error('inline completion failed: ' .. tostring(err.message))
      end
      return
    end
    local items = {}
    if type(result) == 'table' then
      items = result.items or (vim.tbl_islist(result) and result) or {}
    end
    local usable = {}
    for _, item in ipairs(items) do
      local text = type(item.insertText) == 'table' and item.insertText.value or item.insertText
      if type(text) == 'string' and text ~= '' then
        usable[#usable + 1] = item
      end
    end
    if #usable == 0 then
      return
    end
    if api.nvim_get_current_buf() ~= bufnr or api.nvim_buf_get_changedtick(bufnr) ~= tick then
      return
    end
    local now = api.nvim_win_get_cursor(0)
    local mode = api.nvim_get_mode().mode
    if now[1] - 1 ~= row or now[2] ~= col or mode:sub(1, 1) ~= 'i' then
      return
    end
    -- Text of the item's range before the caret (usually empty: the server's range is the caret).
    local prefix = ''
    local range = usable[1].range
    if type(range) == 'table' and range.start.line == row then
      local start = byte_index(line, range.start.character)
      if start < col then
        prefix = line:sub(start + 1, col)
      end
    end
    clear()
    local s = {
      bufnr = bufnr,
      client_id = client.id,
      row = row,
      col = col,
      items = usable,
      index = 1,
      prefix = prefix,
      typed = '',
    }
    if remaining(s) == nil then
      s.prefix = ''
    end
    state.suggestion = s
    show(s)
  end, bufnr)
  if ok then
    state.pending = { client_id = client.id, request_id = request_id }
  end
  return ok
end

-- Chat ------------------------------------------------------------------------------------

local function chat_buffer()
  local bufnr = state.chat.bufnr
  if not (bufnr and api.nvim_buf_is_valid(bufnr)) then
    bufnr = api.nvim_create_buf(false, true)
    api.nvim_buf_set_name(bufnr, 'code4me://chat')
    api.nvim_buf_set_option(bufnr, 'filetype', 'markdown')
    api.nvim_buf_set_option(bufnr, 'bufhidden', 'hide')
    state.chat.bufnr = bufnr
  end
  if vim.fn.bufwinnr(bufnr) == -1 then
    vim.cmd('botright split')
    api.nvim_win_set_buf(0, bufnr)
  end
  return bufnr
end

--- Send `message` to code4me/chat and stream the reply into the chat scratch buffer.
function M.chat(message)
  local source = api.nvim_get_current_buf()
  local client = M.get_client(source) or M.get_client(nil)
  if message == nil or message == '' then
    message = vim.fn.input('Code4me chat: ')
  end
  if message == '' then
    return nil
  end
  local bufnr = chat_buffer()
  if not client then
    if state.missing then
      append_chat(bufnr, ('\nCode4me: the server %q was not found; chat needs it (see clients/neovim/README.md).\n'):format(state.missing))
    else
      append_chat(bufnr, '\nCode4me: no code4me server is running (open a file it attaches to first).\n')
    end
    return bufnr
  end
  local lines = { '## You', '' }
  vim.list_extend(lines, vim.split(message, '\n', true))
  vim.list_extend(lines, { '', '## Code4me', '', '' })
  if api.nvim_buf_line_count(bufnr) == 1 and get_line(bufnr, 0) == '' then
    api.nvim_buf_set_lines(bufnr, 0, 1, false, lines)
  else
    api.nvim_buf_set_lines(bufnr, -1, -1, false, lines)
  end
  scroll_chat(bufnr)
  state.chat.count = state.chat.count + 1
  local token = 'code4me-chat-' .. state.chat.count
  state.chat.tokens[token] = bufnr
  local params = { message = message, partialResultToken = token, chatId = state.chat.id }
  if api.nvim_buf_get_name(source) ~= '' and source ~= bufnr then
    params.textDocument = { uri = vim.uri_from_bufnr(source) }
  end
  client.request('code4me/chat', params, function(err, result)
    local streamed = state.chat.streamed[token]
    state.chat.tokens[token] = nil
    state.chat.streamed[token] = nil
    if err then
      if err.code == -32601 then
        append_chat(bufnr, 'Code4me chat is unavailable: the server does not implement code4me/chat ('
          .. tostring(err.message) .. ')\n')
      else
        append_chat(bufnr, 'Code4me chat error ' .. tostring(err.code) .. ': ' .. tostring(err.message) .. '\n')
      end
      return
    end
    if type(result) == 'table' then
      state.chat.id = result.chatId or state.chat.id
      if not streamed and type(result.reply) == 'string' then
        append_chat(bufnr, result.reply)
      end
      if type(result.model) == 'string' then
        append_chat(bufnr, '\n\n_(' .. result.model .. ')_\n')
      end
    end
  end, source)
  return bufnr
end

-- Setup -----------------------------------------------------------------------------------

local function map(bufnr, name, fn, fallback)
  local lhs = config.keymaps[name]
  if not lhs then
    return
  end
  vim.keymap.set('i', lhs, function()
    if fallback == nil or M.is_visible() then
      return '<Cmd>lua require("code4me").' .. fn .. '()<CR>'
    end
    return fallback and lhs or ''
  end, { buffer = bufnr, expr = true, silent = true, desc = 'Code4me ' .. name })
end

local function attach(bufnr)
  if api.nvim_buf_get_option(bufnr, 'buftype') ~= '' or not api.nvim_buf_is_loaded(bufnr) then
    return
  end
  -- Attached for real, not only marked: `:e` and `:e!` detach the buffer from every LSP client, and FileType
  -- (which runs again) brings it back here.
  local client = M.get_client(bufnr)
  if client and vim.lsp.buf_is_attached(bufnr, client.id) then
    return
  end
  if api.nvim_buf_get_name(bufnr) == '' and not vim.b[bufnr].code4me_untitled then
    vim.b[bufnr].code4me_untitled = 'untitled:Untitled-' .. bufnr
  end
  if not start_client(bufnr) then
    return
  end
  vim.b[bufnr].code4me_attached = true
  map(bufnr, 'accept', 'accept', true)
  map(bufnr, 'accept_word', 'accept_word', true)
  map(bufnr, 'accept_line', 'accept_line', true)
  -- Nothing to cycle: the keys do nothing (no literal `]` in the text).
  map(bufnr, 'next', 'next', false)
  map(bufnr, 'prev', 'prev', false)
  map(bufnr, 'dismiss', 'dismiss', true)
  map(bufnr, 'invoke', 'request', nil)
end

-- Whether `filetypes` covers the buffer's filetype (nil: every filetype).
local function wants(bufnr)
  local ft = api.nvim_buf_get_option(bufnr, 'filetype')
  return ft ~= '' and (config.filetypes == nil or vim.tbl_contains(config.filetypes, ft))
end

--- Configure the plugin and attach to matching buffers (already open ones too).
function M.setup(opts)
  config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  state.missing = nil
  local group = api.nvim_create_augroup(augroup_name, { clear = true })
  api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes or '*',
    callback = function(args)
      attach(args.buf)
    end,
  })
  -- `:e` / `:e!` re-read the buffer and detach it from LSP clients; attach again once it is read.
  api.nvim_create_autocmd('BufReadPost', {
    group = group,
    callback = function(args)
      vim.schedule(function()
        if api.nvim_buf_is_valid(args.buf) and wants(args.buf) then
          attach(args.buf)
        end
      end)
    end,
  })
  api.nvim_create_autocmd('TextChangedI', {
    group = group,
    callback = function()
      sync()
      if config.auto_trigger and not state.suggestion and vim.b.code4me_attached then
        M.request(2)
      end
    end,
  })
  api.nvim_create_autocmd('CursorMovedI', { group = group, callback = sync })
  api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, {
    group = group,
    callback = function()
      cancel_pending()
      M.dismiss()
    end,
  })
  api.nvim_create_user_command('Code4meChat', function(args)
    M.chat(args.args)
  end, { nargs = '*', desc = 'Ask Code4me; the reply streams into a scratch buffer' })
  api.nvim_create_user_command('Code4meComplete', function()
    M.request(1)
  end, { desc = 'Request a Code4me inline completion at the cursor' })
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(bufnr) and wants(bufnr) then
      attach(bufnr)
    end
  end
end

M._state = state
M.namespace = ns

return M

-- Drives Neovim's built-in LSP client (0.7.2) against `sandlua lsp --stdio`: opens a script,
-- waits for diagnostics, asks for completion and hover, edits the buffer and waits for the
-- diagnostics to follow, and writes what it saw as JSON.
-- SANDLUA_SYNC=full: the client sends every change as the whole text (allow_incremental_sync = false).
-- Arguments come through environment variables (SANDLUA_CLI, SANDLUA_WS, SANDLUA_SCRIPT, SANDLUA_OUT);
-- SANDLUA_CMD, when set, is the server command instead of `node $SANDLUA_CLI lsp --stdio` (words
-- separated by spaces, run in SANDLUA_WS: the README's `npx sandlua lsp --stdio`).
local cli, ws, script, out = os.getenv('SANDLUA_CLI'), os.getenv('SANDLUA_WS'), os.getenv('SANDLUA_SCRIPT'), os.getenv('SANDLUA_OUT')
local result = { diagnostics = {}, completion = {}, hover = '', typeHover = '', afterDelete = {}, afterInsert = {}, changes = { ranged = 0, whole = 0 } }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  local cmd = { 'node', cli, 'lsp', '--stdio' }
  if os.getenv('SANDLUA_CMD') then cmd = vim.split(os.getenv('SANDLUA_CMD'), ' ', true) end
  local flags = {}
  if os.getenv('SANDLUA_SYNC') == 'full' then flags.allow_incremental_sync = false end
  local client_id = vim.lsp.start_client({ name = 'sandlua', cmd = cmd, cmd_cwd = ws, root_dir = ws, flags = flags })
  -- Count the changes the client sends: with a range, or the whole text.
  local client = vim.lsp.get_client_by_id(client_id)
  local notify = client.notify
  client.notify = function(method, params)
    if method == 'textDocument/didChange' then
      for _, change in ipairs(params.contentChanges) do
        if change.range then result.changes.ranged = result.changes.ranged + 1 else result.changes.whole = result.changes.whole + 1 end
      end
    end
    return notify(method, params)
  end
  vim.cmd('edit ' .. script)
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'lua'
  vim.lsp.buf_attach_client(bufnr, client_id)
  vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  local function diagnostics()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(list, { line = d.lnum, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message })
    end
    return list
  end
  local function has(code, line)
    for _, d in ipairs(diagnostics()) do
      if d.code == code and d.line == line then return true end
    end
    return false
  end
  result.diagnostics = diagnostics()
  -- Completion after `tools.` on line 4 (0-based 3), character 6.
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 3, character = 6 },
  }, 10000)
  for _, response in pairs(responses or {}) do
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do table.insert(result.completion, item.label) end
  end
  local function hover(line, character)
    local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = character },
    }, 10000)
    for _, response in pairs(responses or {}) do
      if response.result and response.result.contents then return response.result.contents.value or '' end
    end
    return ''
  end
  result.hover = hover(1, 20)
  -- The inferred type of `v` where it is used (line 3, `print(v:upper())`).
  result.typeHover = hover(2, 6)
  -- Edit the buffer and see the diagnostics follow: the first line (os.execute) deleted, the
  -- maybe-nil use moves up a line; then a forbidden call typed before the last line.
  vim.api.nvim_buf_set_lines(bufnr, 0, 1, false, {})
  vim.wait(10000, function() return has('maybe-nil', 1) end, 50)
  result.afterDelete = diagnostics()
  vim.api.nvim_buf_set_lines(bufnr, 2, 2, false, { 'os.execute("x")' })
  vim.wait(10000, function() return has('forbidden', 2) end, 50)
  result.afterInsert = diagnostics()
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()

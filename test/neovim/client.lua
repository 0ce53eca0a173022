-- Drives Neovim's built-in LSP client (0.7.2) against `sandlua lsp --stdio`: opens a script,
-- waits for diagnostics, asks for completion and hover, and writes what it saw as JSON.
-- Arguments come through environment variables (SANDLUA_CLI, SANDLUA_WS, SANDLUA_SCRIPT, SANDLUA_OUT);
-- SANDLUA_CMD, when set, is the server command instead of `node $SANDLUA_CLI lsp --stdio` (words
-- separated by spaces, run in SANDLUA_WS: the README's `npx sandlua lsp --stdio`).
local cli, ws, script, out = os.getenv('SANDLUA_CLI'), os.getenv('SANDLUA_WS'), os.getenv('SANDLUA_SCRIPT'), os.getenv('SANDLUA_OUT')
local result = { diagnostics = {}, completion = {}, hover = '', typeHover = '' }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  local cmd = { 'node', cli, 'lsp', '--stdio' }
  if os.getenv('SANDLUA_CMD') then cmd = vim.split(os.getenv('SANDLUA_CMD'), ' ', true) end
  local client_id = vim.lsp.start_client({ name = 'sandlua', cmd = cmd, cmd_cwd = ws, root_dir = ws })
  vim.cmd('edit ' .. script)
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'lua'
  vim.lsp.buf_attach_client(bufnr, client_id)
  vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { line = d.lnum, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message })
  end
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
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()

-- bench:lsp's real client: Neovim's built-in LSP client (0.7.2, headless) on `sandlua lsp --stdio`.
-- Opens a script, waits for its diagnostics to be shown, then types a space at the start of a line
-- that holds a diagnostic (which the space moves) and deletes it again, keystroke after keystroke,
-- each timed from the buffer's change to the diagnostics that follow it being set in Neovim (its
-- DiagnosticChanged event): the server's work, the client's decoding of the publish and its
-- storing of the diagnostics. First SANDLUA_ROUNDS keystrokes back to back, then SANDLUA_PACED
-- more with SANDLUA_GAP ms between one keystroke's diagnostics and the next keystroke, as a person
-- types. Then SANDLUA_QUIET keystrokes on a line with no diagnostic, which change none: each
-- waits SANDLUA_QUIET_WAIT ms for diagnostics to be set, and the ones that were are timed (a
-- server that sends unchanged diagnostics again has the client read and store them all again).
-- The client sends each change at once (debounce_text_changes = 0; Neovim's own default waits
-- 150 ms before it sends).
-- Arguments come through environment variables: SANDLUA_CLI (the bundle), SANDLUA_WS (workspace),
-- SANDLUA_SCRIPT (the file), SANDLUA_LINE and SANDLUA_QUIET_LINE (0-based lines edited),
-- SANDLUA_ROUNDS, SANDLUA_PACED, SANDLUA_GAP, SANDLUA_QUIET, SANDLUA_QUIET_WAIT, SANDLUA_OUT (the
-- JSON of what was seen is written there).
local cli, ws, script, out = os.getenv('SANDLUA_CLI'), os.getenv('SANDLUA_WS'), os.getenv('SANDLUA_SCRIPT'), os.getenv('SANDLUA_OUT')
local line = tonumber(os.getenv('SANDLUA_LINE'))
local quietLine = tonumber(os.getenv('SANDLUA_QUIET_LINE') or os.getenv('SANDLUA_LINE'))
local rounds = tonumber(os.getenv('SANDLUA_ROUNDS') or '40')
local paced = tonumber(os.getenv('SANDLUA_PACED') or '0')
local gap = tonumber(os.getenv('SANDLUA_GAP') or '100')
local quiet = tonumber(os.getenv('SANDLUA_QUIET') or '0')
local quietWait = tonumber(os.getenv('SANDLUA_QUIET_WAIT') or '500')
local result = { open = -1, times = {}, pacedTimes = {}, quiet = quiet, quietTimes = {}, diagnostics = 0, missed = 0 }

local ok, err = pcall(function()
  local changed = 0
  vim.api.nvim_create_autocmd('DiagnosticChanged', { callback = function() changed = changed + 1 end })
  local client_id = vim.lsp.start_client({
    name = 'sandlua', cmd = { 'node', cli, 'lsp', '--stdio' }, cmd_cwd = ws, root_dir = ws,
    flags = { debounce_text_changes = 0 },
  })
  vim.cmd('edit ' .. script)
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'lua'
  local t0 = vim.loop.hrtime()
  vim.lsp.buf_attach_client(bufnr, client_id)
  if not vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 1) then error('no diagnostics after the open') end
  result.open = (vim.loop.hrtime() - t0) / 1e6
  -- A space typed at the start of line `at`, or deleted when one was typed there last. Returns
  -- whether diagnostics were set within `wait` ms, and the ms from the change until they were.
  local typed = false
  local function keystroke(at, wait)
    local before = changed
    local start = vim.loop.hrtime()
    if typed then
      vim.api.nvim_buf_set_text(bufnr, at, 0, at, 1, { '' })
    else
      vim.api.nvim_buf_set_text(bufnr, at, 0, at, 0, { ' ' })
    end
    typed = not typed
    local set = vim.wait(wait, function() return changed > before end, 1)
    return set, (vim.loop.hrtime() - start) / 1e6
  end
  local function timed(times)
    local set, ms = keystroke(line, 10000)
    if set then table.insert(times, ms) else result.missed = result.missed + 1 end
  end
  for _ = 1, rounds do timed(result.times) end
  for _ = 1, paced do
    vim.wait(gap, function() return false end, 5)
    timed(result.pacedTimes)
  end
  -- The line as it was before the quiet keystrokes (whose diagnostics should then stay as they are).
  if typed then
    if not keystroke(line, 10000) then result.missed = result.missed + 1 end
  end
  for _ = 1, quiet do
    local set, ms = keystroke(quietLine, quietWait)
    if set then table.insert(result.quietTimes, ms) end
  end
  result.diagnostics = #vim.diagnostic.get(bufnr)
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.cmd('qa!')

/**
 * The shared budget's Lua scripts. Redis runs each one atomically, so the processes sharing a budget
 * never both take the last request of a window or the last concurrency slot. Every script reads the
 * time from Redis (`TIME`), not from its caller, so processes on machines whose clocks differ agree.
 *
 * The keys of one budget (org + user), in this order in every script:
 *
 *   1 req    sorted set: grant id → when it was granted, then when its answer came (ms): the requests the
 *            service counts in its window. The answer's time is never earlier than the service's count,
 *            whatever delays the sending process had (a busy event loop), so the window never runs ahead.
 *   2 exec   hash: time bucket → execution time (ms) the answers of that bucket took
 *   3 lease  sorted set: grant id → when its concurrency slot expires unless renewed (a dead process's
 *            slots come back by themselves)
 *   4 pause  string: until when (ms) every process waits, after a 429 with Retry-After
 *   5 limits hash: what the service said of its limits (`requests`, `windowMs`, `marginMs`, `execMs`,
 *            `execWindowMs`, `concurrency`) and its latest budget header (`reportSeq`, `reportRemaining`)
 *   6 seq    counter: the last grant id
 *
 * Every key expires after the budget has been idle for a while (`idle`), so nothing outlives its use.
 */

/** the time in ms, the limits as learned (or the service's documented defaults), and the idle expiry */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lim = redis.call('HMGET', KEYS[5], 'requests', 'windowMs', 'marginMs', 'execMs', 'concurrency', 'reportSeq', 'reportRemaining', 'execWindowMs')
local learned = lim[1] ~= false
local requests = tonumber(lim[1]) or tonumber(ARGV[1])
local windowMs = tonumber(lim[2]) or tonumber(ARGV[2])
local marginMs = tonumber(lim[3]) or (20 + windowMs * 0.002)
local execMs = tonumber(lim[4]) or tonumber(ARGV[3])
local concurrency = tonumber(lim[5]) or tonumber(ARGV[4])
local execWindowMs = tonumber(lim[8]) or windowMs
local span = windowMs + marginMs
local bucketMs = math.max(10, math.floor(execWindowMs / 100))
local idle = math.max(2 * span, 2 * execWindowMs, 600000)
local function keep()
  for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], idle) end
end
`;

/**
 * ARGV: default requests per window, default window ms, default execution ms per window, default
 * concurrency, lease ms. Answers `{grant, 0}` (go), `{0, ms}` (wait that long) or `{0, -1}` (every slot
 * is taken: ask again soon).
 */
export const ACQUIRE = `${PRELUDE}
local pause = tonumber(redis.call('GET', KEYS[4]) or '0')
if pause > now then return {0, pause - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local seq = tonumber(redis.call('GET', KEYS[6]) or '0')
-- no window known yet and the service's budget header says it is used up: one request at a time
-- probes it, so the first trip costs one 429 (which names the window) instead of a volley. The
-- estimate takes off every grant after the one the header came with, and every one before it still
-- unanswered: a request can reach the service long after its grant (a new connection, a busy process)
if not learned and lim[6] then
  local reportSeq = tonumber(lim[6])
  local estimate = tonumber(lim[7]) - (seq - reportSeq)
  for _, grant in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if tonumber(grant) < reportSeq then estimate = estimate - 1 end
  end
  if estimate <= 0 then concurrency = 1 end
end
if redis.call('ZCARD', KEYS[3]) >= concurrency then return {0, -1} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local count = redis.call('ZCARD', KEYS[1])
-- a request still unanswered counts however long ago it was granted: it may reach the service only
-- now; and the time since its grant is execution time the service may have counted already (its
-- answer may be on the way, not yet reported by its process)
local unanswered, runningMs = 0, 0
for _, grant in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local granted = redis.call('ZSCORE', KEYS[1], grant)
  if granted then runningMs = runningMs + math.max(0, now - tonumber(granted)) else unanswered = unanswered + 1 end
end
if count + unanswered >= requests then
  if unanswered >= requests then return {0, -1} end
  local rank = count + unanswered - requests
  local oldest = redis.call('ZRANGE', KEYS[1], rank, rank, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) + span - now)}
end
local buckets = redis.call('HGETALL', KEYS[2])
local used, first = 0, nil
for i = 1, #buckets, 2 do
  local b = tonumber(buckets[i])
  if (b + 1) * bucketMs <= now - execWindowMs then
    redis.call('HDEL', KEYS[2], buckets[i])
  else
    used = used + tonumber(buckets[i + 1])
    if first == nil or b < first then first = b end
  end
end
if used >= execMs and first ~= nil then return {0, math.max(1, (first + 1) * bucketMs + execWindowMs - now)} end
if used + runningMs >= execMs then return {0, -1} end
seq = redis.call('INCR', KEYS[6])
redis.call('ZADD', KEYS[1], now, seq)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), seq)
keep()
return {seq, 0}
`;

/**
 * An answer came (not a 429): counts the request from now, frees its slot, adds its execution time, and keeps the budget
 * header's remaining requests when it is the latest. ARGV: the four defaults, grant, duration ms,
 * remaining requests ('' when the answer had no header).
 */
export const FINISH = `${PRELUDE}
local grant = tonumber(ARGV[5])
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[1], now, ARGV[5])
local duration = tonumber(ARGV[6])
if duration > 0 then redis.call('HINCRBY', KEYS[2], math.floor(now / bucketMs), duration) end
-- the budget header of the latest grant is the news; one of an earlier grant that says less is left
-- is kept too (it reached the service after later grants did, so their headers did not count it)
if ARGV[7] ~= '' then
  local seq = tonumber(redis.call('GET', KEYS[6]) or '0')
  if not lim[6] or grant >= tonumber(lim[6]) or tonumber(ARGV[7]) - (seq - grant) < tonumber(lim[7]) - (seq - tonumber(lim[6])) then
    redis.call('HSET', KEYS[5], 'reportSeq', grant, 'reportRemaining', ARGV[7])
  end
end
keep()
return 1
`;

/**
 * A 429: the request was never counted; unless it was refused for concurrency alone, everyone pauses
 * until Retry-After; the limit it names is kept for everyone. ARGV: the four defaults, grant,
 * Retry-After ms, kind (`requests`, `execution-time`, `concurrency`, `unknown`), the limit and the
 * window in seconds ('' when the message does not give them).
 */
export const REFUSED = `${PRELUDE}
redis.call('ZREM', KEYS[1], ARGV[5])
redis.call('ZREM', KEYS[3], ARGV[5])
local kind, limit, seconds = ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
if kind ~= 'concurrency' then
  local pause = now + tonumber(ARGV[6])
  if pause > tonumber(redis.call('GET', KEYS[4]) or '0') then redis.call('SET', KEYS[4], pause, 'PX', tonumber(ARGV[6])) end
end
if kind == 'requests' and limit and seconds then
  local spanMs = seconds * 1000
  if learned and requests == limit and windowMs == spanMs then
    -- refused inside the very window everyone keeps to: grant times ran ahead of the service's count
    redis.call('HSET', KEYS[5], 'marginMs', math.min(marginMs * 1.5, 100 + spanMs * 0.02))
  else
    redis.call('HSET', KEYS[5], 'requests', limit, 'windowMs', spanMs, 'marginMs', 20 + spanMs * 0.002)
  end
elseif kind == 'execution-time' and limit and seconds then
  redis.call('HSET', KEYS[5], 'execMs', limit, 'execWindowMs', seconds * 1000)
elseif kind == 'concurrency' and limit and limit < concurrency then
  redis.call('HSET', KEYS[5], 'concurrency', limit)
end
keep()
return 1
`;

/** Pushes back the expiry of this process's slots still in flight. ARGV: the four defaults, lease ms, grants… */
export const RENEW = `${PRELUDE}
for i = 6, #ARGV do redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[5]), ARGV[i]) end
return 1
`;

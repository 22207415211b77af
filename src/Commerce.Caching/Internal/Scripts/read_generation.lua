-- Reads one generation (of a tag, or of everything), creating it when missing, never letting it go back.
-- KEYS[1]: the generation key.
-- ARGV[1]: floor, the highest generation the caller has seen ('0' if none);
-- ARGV[2]: TTL in ms of a generation created here.
-- Returns the generation (a decimal string). generation() comes from generation.lua.
return generation(KEYS[1], tonumber(ARGV[1]), ARGV[2])

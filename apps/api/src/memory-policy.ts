import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before
 * collecting again: by default up to about 4x, here 2.2x. Under a thousand connections most of
 * what a request allocates outlives a young-generation collection and dies in the old one, so
 * the heap swelled to about 400 MB between full collections; with this it stays near 250 MB
 * (bench S6), for the same CPU per request at 50 connections and a slightly longer tail (full
 * collections come more often; each is short, the live set being about 50 MB). 150 % left
 * the peak at 300 MB in one full bench run of two. V8 reads the
 * factor at every collection, so setting it at start-up takes effect however the process was
 * launched (npm start, start:prod, the container); the flag is not allowed in NODE_OPTIONS.
 */
export const HEAP_GROWING_PERCENT = 120;

setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);

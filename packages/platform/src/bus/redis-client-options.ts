/**
 * Options every long-lived ioredis client of the services shares.
 *
 * `disconnectTimeout`: ioredis's disconnect() arms a timer that destroys the socket if it has not
 * closed within this time, and clears the timer on the socket's 'close'. A client disconnected while
 * it waits to reconnect holds a socket that closed long ago, so that timer runs its full length and
 * keeps the process alive: with ioredis's default of 2 s, every service that gave up on an
 * unreachable Redis lingered 2 s after its failed start, and under load it met runService's own
 * 2 s forced exit (a CI failure). A live socket to Redis closes in a millisecond or two after our
 * end(); a slow peer is destroyed after this, which disconnect() allows anyway (it may drop replies).
 */
export const REDIS_DISCONNECT_TIMEOUT_MS = 200;

/**
 * @module integrations/express/types — types `socket.request.session` and `socket.request.user`.
 *
 * `socket.request` is node's `IncomingMessage`. Middlewares such as express-session and passport
 * type what they add on Express's global `Express.Request`; this augmentation copies those two
 * properties onto `IncomingMessage`, so with `@types/express-session` installed
 * `socket.request.session` is `Session & Partial<SessionData>` (extend `SessionData` as usual),
 * and with `@types/passport` `socket.request.user` is `Express.User`. Without them the
 * properties are `unknown`. `session` is declared present, as express-session declares it on
 * Express requests: it is there only when the session middleware ran on the handshake.
 */

type SessionOf<R> = R extends { session: infer S } ? S : unknown;
type UserOf<R> = R extends { user?: infer U } ? U : unknown;

declare global {
  // Express's global namespace; declared here (empty) so this file compiles without @types/express.
  namespace Express {
    // empty on purpose: merged with what express-session, passport etc. declare
    interface Request {}
  }
}

declare module "http" {
  interface IncomingMessage {
    /** The express-session session, when the session middleware ran on this request. */
    session: SessionOf<Express.Request>;
    /** The user passport put on this request, if any. */
    user?: UserOf<Express.Request>;
  }
}

export {};

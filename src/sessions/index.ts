// Session recordings (asciicast v2/v3, DECNET shards) and per-session keystroke profiles.
export * from './keystrokes.js';
export * from './profile.js';
export * from './recording.js';
export * from './simhash.js';

// MIT krb5 file formats: FILE credential caches and keytabs.
export * from './ccache.js';
export * from './keytab.js';
export { FILE_LIMITS } from './util.js';

// MS-PAC wire types: PACTYPE and its buffers.
export * from './pactype.js';
export * from './sid.js';
export * from './client-info.js';
export * from './signature-data.js';
export * from './upn-dns-info.js';
export * from './logon-info.js';

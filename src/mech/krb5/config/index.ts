// krb5.conf: MIT profile syntax and the typed view with MIT's defaults.
export * from './profile.js';
export * from './krb5-conf.js';

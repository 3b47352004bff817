// Algorithms and methods Passport offers. No RSA1_5, no `none` signatures, no symmetric
// key-wrapping from client secrets.
export const supportedAlgorithms = {
  signing: ["RS256", "PS256", "ES256", "EdDSA"],
  encryption: ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"],
  encryptionEnc: ["A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512"],
  tokenEndpointAuthMethods: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
} as const;

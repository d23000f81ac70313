#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// Only the libcrypto headers kyc-webhooks needs: one-shot HMAC, SHA-256, EVP ciphers, CRYPTO_memcmp.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif

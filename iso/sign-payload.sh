#!/usr/bin/env bash
# Signs the OS image payloads of a directory: every DIR/*.sha256 gets a detached OpenPGP
# signature DIR/*.sha256.sig, and the public key goes to KEYRING_OUT (binary, gpg --export),
# the keyring the live system ships at /usr/share/keyrings/cos-payload.gpg
# (cos_installer.install.signature.DEFAULT_KEYRING). Used by build-iso.sh; any other tree of payloads
# (a netboot tree) is signed the same way: iso/sign-payload.sh TREE/cos KEYRING_OUT.
#
# Usage: iso/sign-payload.sh PAYLOAD_DIR KEYRING_OUT
#   SIGNING_KEY=FILE   a secret key export (gpg --export-secret-keys [--armor] KEY > FILE)
#   SIGNING_KEY=KEYID  a key (fingerprint, e-mail) in $GNUPGHOME (default ~/.gnupg; a card too)
#   SIGNING_KEY_PASSPHRASE_FILE=FILE  its passphrase, if it has one (never on a command line)
#   without SIGNING_KEY: the demo's throw-away key, generated once and kept in
#   $COS_CACHE/demo-signing-key, so every tree built from the same cache carries the same key.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: sign-payload.sh PAYLOAD_DIR KEYRING_OUT"
dir=${1:?$usage}
keyring_out=${2:?$usage}
[ -d "$dir" ] || die "$dir: no such directory ($usage)"
sums=("$dir"/*.sha256)
[ -f "${sums[0]}" ] || die "$dir: no *.sha256 checksum file to sign (sha256sum IMAGE > IMAGE.sha256)"
command -v gpg >/dev/null || die "gpg is not installed (apt-get install gnupg)"
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/cos-sign.XXXXXX")
stop_home=""
cleanup() {
  [ -z "$stop_home" ] || gpgconf --homedir "$stop_home" --kill gpg-agent 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# the demo's throw-away key: generated once and kept in the build cache (copied into $tmp to
# sign: gpg-agent's sockets must live in a short path, and the cache is never left with one)
demo_key() {
  local cached=$CACHE_ROOT/demo-signing-key new
  home_dir=$tmp/home stop_home=$tmp/home
  if [ -s "$cached/fingerprint" ]; then
    cp -a "$cached" "$home_dir"
  else
    mkdir -m 700 "$home_dir"
    gpg --homedir "$home_dir" --batch --quiet --passphrase '' --quick-gen-key \
      "COS demo payload key (throw-away, not for production) <demo@cos.invalid>" \
      ed25519 sign never 2>"$tmp/gen.log" || { cat "$tmp/gen.log" >&2; die "gpg could not make the demo key"; }
    gpg --homedir "$home_dir" --batch --with-colons --list-secret-keys 2>/dev/null |
      awk -F: '$1 == "fpr" { print $10; exit }' >"$home_dir/fingerprint"
    gpgconf --homedir "$home_dir" --kill gpg-agent 2>/dev/null || true
    mkdir -p "$CACHE_ROOT"
    new=$(mktemp -d "$cached.tmp.XXXXXX")
    tar -C "$home_dir" --exclude='S.*' -cf - . | tar -C "$new" -xf -
    chmod 700 "$new"
    mv -T "$new" "$cached" 2>/dev/null || rm -rf "$new"  # another build made one first: use it
    rm -rf "$home_dir" && cp -a "$cached" "$home_dir"
    log "generated the demo's throw-away signing key $(cat "$cached/fingerprint") in $cached"
  fi
  key=$(cat "$home_dir/fingerprint")
}

if [ -z "${SIGNING_KEY:-}" ]; then
  demo_key
  log "signing with the demo's THROW-AWAY key $key (set SIGNING_KEY= for a real image)"
elif [ -f "$SIGNING_KEY" ]; then
  home_dir=$tmp/home stop_home=$tmp/home
  mkdir -m 700 "$home_dir"
  gpg --homedir "$home_dir" --batch --quiet --import "$SIGNING_KEY" 2>"$tmp/import.log" ||
    { cat "$tmp/import.log" >&2; die "SIGNING_KEY=$SIGNING_KEY: gpg cannot import it as a secret key"; }
  key=$(gpg --homedir "$home_dir" --batch --with-colons --list-secret-keys 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
  [ -n "$key" ] || die "SIGNING_KEY=$SIGNING_KEY holds no secret key (gpg --export-secret-keys KEY)"
else
  home_dir=${GNUPGHOME:-$HOME/.gnupg} key=$SIGNING_KEY
fi
pass=()
if [ -n "${SIGNING_KEY_PASSPHRASE_FILE:-}" ]; then
  [ -r "$SIGNING_KEY_PASSPHRASE_FILE" ] || die "SIGNING_KEY_PASSPHRASE_FILE=$SIGNING_KEY_PASSPHRASE_FILE: cannot read it"
  pass=(--pinentry-mode loopback --passphrase-file "$SIGNING_KEY_PASSPHRASE_FILE")
fi

gpg --homedir "$home_dir" --batch --export "$key" >"$tmp/keyring.gpg"
[ -s "$tmp/keyring.gpg" ] || die "SIGNING_KEY=$key: no such key in $home_dir"
mkdir -m 700 "$tmp/verify"
for sum in "${sums[@]}"; do
  gpg --homedir "$home_dir" --batch --yes --quiet "${pass[@]}" --local-user "$key" \
    --detach-sign --output "$sum.sig" "$sum" || die "$sum: signing with key $key failed"
  gpgv --homedir "$tmp/verify" --keyring "$tmp/keyring.gpg" "$sum.sig" "$sum" 2>/dev/null ||
    die "$sum.sig: the new signature does not verify with the exported key $key"
  log "signed $sum with key $key"
done
mkdir -p "$(dirname "$keyring_out")"
cp "$tmp/keyring.gpg" "$keyring_out"

#!/bin/sh
# sign.sh IN OUT [KEY CERT]
#
# Sign a UEFI image (build/atlas.efi) for Secure Boot with sbsign (Debian
# package sbsigntool), then check the result with sbverify against CERT. OUT
# is written only when both steps succeed.
#
# KEY and CERT default to the "snakeoil" pair that Debian's ovmf package ships
# for testing: /usr/share/ovmf/PkKek-1-snakeoil.key and .pem. That certificate
# is enrolled as PK, KEK and db in OVMF_VARS_4M.snakeoil.fd, so an image
# signed with it boots under OVMF_CODE_4M.snakeoil.fd with Secure Boot
# enforced. Never enroll the snakeoil certificate on a real machine: its
# private key is public.
#
# KEY may be PEM or DER, plain or encrypted. sbsign cannot be given a
# passphrase, so an encrypted key is decrypted by openssl into a private
# temporary file first. The passphrase comes from $SIGN_KEY_PASS; for the
# snakeoil key it defaults to "snakeoil" (README.Debian of the ovmf package).
# Otherwise openssl asks on the terminal.
#
# sbsign warns "data remaining[...]: gaps between PE/COFF sections?" for
# atlas.efi because objcopy leaves a COFF symbol table after the last section.
# The Authenticode hash covers those bytes too, and the firmware accepts the
# signature, so this script drops that one warning.
set -eu

usage() {
	echo "usage: $0 IN OUT [KEY CERT]" >&2
	exit 2
}

SNAKEOIL_DIR=${SNAKEOIL_DIR:-/usr/share/ovmf}
case $# in
2) in=$1 out=$2 key=$SNAKEOIL_DIR/PkKek-1-snakeoil.key cert=$SNAKEOIL_DIR/PkKek-1-snakeoil.pem ;;
4) in=$1 out=$2 key=$3 cert=$4 ;;
*) usage ;;
esac

for tool in sbsign sbverify openssl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "sign.sh: $tool not found (Debian: apt-get install sbsigntool openssl)" >&2
		exit 1
	}
done
for f in "$in" "$key" "$cert"; do
	[ -r "$f" ] || {
		echo "sign.sh: cannot read $f" >&2
		exit 1
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/atlas-sign.XXXXXX") # mode 0700: the decrypted key goes here
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The certificate as PEM (sbsign and sbverify want PEM; a DER .cer/.crt works too).
if ! openssl x509 -in "$cert" -out "$tmp/cert.pem" 2>/dev/null &&
	! openssl x509 -inform DER -in "$cert" -out "$tmp/cert.pem" 2>/dev/null; then
	echo "sign.sh: $cert is not an X.509 certificate (PEM or DER)" >&2
	exit 1
fi

# The key, unencrypted, as PEM, in the private temporary directory.
if grep -q "ENCRYPTED" "$key" 2>/dev/null; then
	pass=${SIGN_KEY_PASS:-}
	if [ -z "$pass" ] && [ "$(basename "$key")" = "PkKek-1-snakeoil.key" ]; then
		pass=snakeoil
	fi
	if [ -n "$pass" ]; then
		SIGN_KEY_PASS=$pass openssl pkey -in "$key" -passin env:SIGN_KEY_PASS -out "$tmp/key.pem" || {
			echo "sign.sh: cannot decrypt $key (wrong SIGN_KEY_PASS?)" >&2
			exit 1
		}
	else
		openssl pkey -in "$key" -out "$tmp/key.pem" || {
			echo "sign.sh: cannot decrypt $key" >&2
			exit 1
		}
	fi
elif ! openssl pkey -in "$key" -out "$tmp/key.pem" 2>/dev/null &&
	! openssl pkey -inform DER -in "$key" -out "$tmp/key.pem" 2>/dev/null; then
	echo "sign.sh: $key is not a private key (PEM or DER)" >&2
	exit 1
fi

# Key and certificate must belong together, or the signature cannot verify.
if [ "$(openssl pkey -in "$tmp/key.pem" -pubout 2>/dev/null)" != \
	"$(openssl x509 -in "$tmp/cert.pem" -noout -pubkey 2>/dev/null)" ]; then
	echo "sign.sh: $key is not the private key of $cert" >&2
	exit 1
fi

# An already signed input would end up with two signatures; sign the plain image.
if sbverify --list "$in" 2>/dev/null | grep -q '^signature [0-9]'; then
	echo "sign.sh: $in is already signed; sign the unsigned image instead" >&2
	exit 1
fi

filter() {
	grep -v -e 'gaps between PE/COFF sections' -e '^Signing Unsigned original image$' "$1" >&2 || true
}

if ! sbsign --key "$tmp/key.pem" --cert "$tmp/cert.pem" --output "$tmp/signed.efi" "$in" 2>"$tmp/sbsign.err"; then
	filter "$tmp/sbsign.err"
	echo "sign.sh: sbsign failed" >&2
	exit 1
fi
filter "$tmp/sbsign.err"
if ! sbverify --cert "$tmp/cert.pem" "$tmp/signed.efi" >"$tmp/sbverify.out" 2>&1; then
	filter "$tmp/sbverify.out"
	echo "sign.sh: sbverify rejected the signed image" >&2
	exit 1
fi
subject=$(openssl x509 -in "$tmp/cert.pem" -noout -subject | sed 's/^subject= *//')
# cp then mv: OUT appears complete or not at all, even across file systems.
cp "$tmp/signed.efi" "$out.tmp"
mv "$out.tmp" "$out"
echo "sign.sh: $out signed by \"$subject\"; sbverify: Signature verification OK"

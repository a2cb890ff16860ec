#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ohectl never writes a control character it got from outside input.

The `error` parameter of an OAuth redirect is the provider's (or anyone's
who crafts the link): ESC sequences in it must reach the terminal as
visible escapes, as must an unknown command name.
"""
import subprocess
import sys

ohectl = sys.argv[1]


def check(args, expected):
    result = subprocess.run([ohectl] + args, capture_output=True, timeout=60)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        print(f"not ok - ohectl {args[0]} succeeded")
        sys.exit(1)
    for byte in output:
        if (byte < 0x20 and byte not in (0x09, 0x0A)) or byte == 0x7F or byte == 0x9B:
            print(f"not ok - ohectl {args[0]} printed control byte {byte:#04x}: {output!r}")
            sys.exit(1)
    if expected.encode() not in output:
        print(f"not ok - ohectl {args[0]} printed {output!r}, expected {expected!r}")
        sys.exit(1)


print("1..2")
check(["link-finish",
       "http://localhost:8080/cb?error=%1B%5D52%3Bc%3BZXZpbA%3D%3D%07%1B%5B2J%0Aforged&state=s"],
      "the provider refused the consent: \\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x0aforged")
print("ok 1 - OAuth redirect error parameter")
check(["\x1b[2Jsync"], "Unknown command '\\x1b[2Jsync'")
print("ok 2 - unknown command name")

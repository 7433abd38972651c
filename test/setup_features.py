"""setup_features.py: lit features that ./bootstrap.sh provides (QEMU, Debian's sources).

Where one is missing on a developer's machine, the tests that need it are unsupported,
and lit lists them by name (ctest runs lit with --show-unsupported). Under CI (CI=true)
the set-up has run, so a missing one is its fault: the feature is declared anyway and
those tests run and fail with the real reason instead of passing as skipped."""
import os


def provide(config, lit_config, feature, present):
    if present:
        config.available_features.add(feature)
    elif os.environ.get("CI") == "true":
        lit_config.warning(f"'{feature}' is missing although ./bootstrap.sh provides it; "
                           "under CI the tests that need it run, and fail")
        config.available_features.add(feature)
    else:
        lit_config.note(f"'{feature}' is missing (./bootstrap.sh provides it): the tests "
                        "that need it are unsupported")

"""setup_features.py: lit features that ./bootstrap.sh provides (QEMU, Debian's sources).

Where one is missing on a developer's machine, the tests that need it are unsupported,
and lit lists them by name (ctest runs lit with --show-unsupported). Under CI (CI=true)
the set-up has run, so a missing one is its fault: the feature is declared anyway and
those tests run and fail with the real reason instead of passing as skipped."""
import os


def provide(config, lit_config, feature, present, provider="./bootstrap.sh provides it"):
    """Provider says what makes the feature available (the set-up, or running as root)."""
    if present:
        config.available_features.add(feature)
    elif os.environ.get("CI") == "true":
        lit_config.warning(f"'{feature}' is missing although {provider}; "
                           "under CI the tests that need it run, and fail")
        config.available_features.add(feature)
    else:
        lit_config.note(f"'{feature}' is missing ({provider}): the tests "
                        "that need it are unsupported")

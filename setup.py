"""Package metadata. scrapyd-deploy builds the egg it uploads to scrapyd from this file (`setup.py bdist_egg`);
`pip install .` works too. Files read at run time ship as package data (see test_scrapyd)."""

from setuptools import find_packages, setup

setup(
    name="police-news-archiver",
    version="0.1",
    description="Scheduled crawling and archiving of Chinese police-news portals into one SQLite file",
    python_requires=">=3.11",
    packages=find_packages(include=["crawler", "crawler.*", "spiders", "storage"]),
    package_data={"crawler": ["portals.toml", "datasette_plugins/*.py"]},
    entry_points={"scrapy": ["settings = crawler.settings"]},
)

"""nianbao (年报): the command-line entry point over the crawler, pipeline and archive packages."""

"""The bundled sample portal: government-CMS look-alike sites on 127.0.0.1 for the demo and the tests."""

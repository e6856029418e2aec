/* main.c -- agentconsole entry point: parse the options (tui/options.c), then run the console. */
#include <locale.h>

#include "app.h"
#include "options.h"

int
main(int argc, char **argv)
{
	struct options o;
	int rc;

	setlocale(LC_ALL, "");
	rc = options_parse(argc, argv, &o);
	if (rc == 0)
		rc = app_run(&o.app);
	else
		rc = rc == 2 ? 0 : 1;
	options_free(&o);
	return rc;
}

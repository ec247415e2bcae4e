#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("sstpc %s\n", SSTPC_VERSION);
		return 0;
	}
	fprintf(stderr, "sstpc: not yet\n");
	return 1;
}

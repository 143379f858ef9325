/*
 * replay.c - main() for a fuzz target without libFuzzer: runs
 * LLVMFuzzerTestOneInput over every file named on the command line or
 * found in the directories named, so plain "make test" replays each seed
 * corpus (and every crash kept as a regression seed).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
one(const char *path)
{
	FILE	*fp;
	uint8_t	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1) {
		fclose(fp);
		return -1;
	}
	/* exactly n bytes, so ASan sees any read past the input */
	if ((p = malloc(n ? (size_t)n : 1)) == NULL ||
	    fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(p, (size_t)n);
	free(p);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];
	int		 i, ran = 0, bad = 0;
	DIR		*d;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			bad += one(argv[i]) == -1;
			ran++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			bad++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    de->d_name);
			bad += one(path) == -1;
			ran++;
		}
		closedir(d);
	}
	printf("%d passed, %d failed\n", ran - bad, bad + (ran == 0));
	return bad || ran == 0;
}

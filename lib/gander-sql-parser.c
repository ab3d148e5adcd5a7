/* gander-sql-parser.c: to be written */
#include "config.h"

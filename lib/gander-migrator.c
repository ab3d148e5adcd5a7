/* gander-migrator.c: to be written */
#include "config.h"

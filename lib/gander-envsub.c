/* gander-envsub.c: to be written */
#include "config.h"

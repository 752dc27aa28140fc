/* src/main.c - the niemtin command-line tool (being written). */
#include <stdio.h>
int main(void)
{
    return 0;
}

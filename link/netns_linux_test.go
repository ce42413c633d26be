package link

func sweepStaleNetns() {}
